"""An SLO's series and burn conditions as Sloth (slok/sloth) writes them, for any SLO
given its labels (identity plus sloth_id, sloth_service, sloth_slo) and objective:
the latency SLO (latency.py) uses them; the series names are conventions.SLOTH_RECORDS.
"""
from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.burn_policy import Burn
from opsgen.generate.kinds import Rule
from opsgen.generate.rule_parts import number, selector

THRESHOLD_FORMAT = ".10g"  # enough digits for burn_policy.BUDGET_SLACK (number()'s 6 would drop it)


def meta_rules(labels: dict[str, str], objective: float) -> tuple[Rule, ...]:
    """Sloth's meta series of the SLO labelled ``labels`` with ``objective`` (percent):
    objective, budget, period, burn rates (error ratio / budget, now and over the period),
    budget remaining and ``sloth_slo_info``. The error ratios must be recorded already."""
    sloth = {k: v for k, v in labels.items() if k.startswith("sloth_")}
    on = f"on ({', '.join(sloth)}) group_left "
    budget_of = selector(conv.SLO_ERROR_BUDGET_RECORD, labels)

    def burn(window: str) -> str:
        return f"{selector(conv.error_ratio_record(window), labels)} / {on}{budget_of}"

    def record(name: str, expr: str, **extra: str) -> Rule:
        return Rule(record=name, expr=expr, labels={**labels, **extra})

    info = {conv.SLOTH_OBJECTIVE_LABEL: number(objective), conv.SLOTH_MODE_LABEL: conv.SLOTH_MODE}
    return (
        record(conv.SLO_OBJECTIVE_RATIO_RECORD, f"vector({number(objective / 100)})"),
        record(conv.SLO_ERROR_BUDGET_RECORD, f"vector({number((100 - objective) / 100)})"),
        record(conv.SLO_TIME_PERIOD_RECORD, f"vector({conv.SLO_PERIOD_DAYS})"),
        record(conv.SLO_CURRENT_BURN_RECORD, burn(conv.SLO_WINDOWS[0])),
        record(conv.SLO_PERIOD_BURN_RECORD, burn(conv.SLO_PERIOD_WINDOW)),
        record(conv.SLO_BUDGET_REMAINING_RECORD, f"1 - {selector(conv.SLO_PERIOD_BURN_RECORD, labels)}"),
        record(conv.SLO_INFO_RECORD, "vector(1)", **info),
    )


def burn_expr(labels: dict[str, str], pairs: tuple[tuple[Burn, float], ...]) -> str:
    """Any pair with both its windows' error ratios above its threshold; as Sloth does,
    each side drops ``sloth_window`` so that they match (the alert keeps ``labels``)."""
    drop = f"max without ({conv.SLOTH_WINDOW_LABEL}) "

    def above(window: str, threshold: float) -> str:
        return f"{drop}({selector(conv.error_ratio_record(window), labels)} > {format(threshold, THRESHOLD_FORMAT)})"

    conditions = [f"{above(burn.short, limit)} and {above(burn.long, limit)}" for burn, limit in pairs]
    return " or ".join(f"({c})" for c in conditions)
