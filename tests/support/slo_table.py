"""The table of docs/alerts.md "Burn-rate thresholds per objective", generated from
catalogue/burn.py, for both SLOs (the latency SLO's alerts read burn.plan's conditions of
the success SLO's at the same objective): ``python -m tests.support.slo_table`` (``make docs``) rewrites it,
tests/catalogue/test_burn.py fails when the doc differs."""

from __future__ import annotations

import sys
from pathlib import Path

from opsgen.catalogue import burn, slo_checks

DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"
BEGIN = "<!-- burn-table: generated from opsgen/catalogue/burn.py by tests/support/slo_table.py (make docs) -->"
END = "<!-- end burn-table -->"
OBJECTIVES = (99.99, 99.9, 99.5, 99, 98, 95, 93, 90, 85, 80, 70, 60, 50, 40, 39)
DAYS, INTERVAL = 30, 30.0  # the defaults: platform.slo.period, metrics.interval


def _pair(condition: burn.Condition, budget: float) -> str:
    windows = condition.long if condition.long == condition.short else f"{condition.long} & {condition.short}"
    return f"{windows} > {format(condition.threshold, 'g')} ({format(condition.threshold / budget, '.3g')}×)"


def table() -> str:
    rows = [
        "| objective | budget | page (ErrorBudgetBurnFast, LatencyBudgetBurnFast): windows > bad ratio (burn rate) "
        "| ticket (ErrorBudgetBurnSlow, LatencyBudgetBurnSlow) | total outage or breach pages after |",
        "|---|---|---|---|---|",
    ]
    for objective in OBJECTIVES:
        budget = (100 - objective) / 100
        plan = burn.plan(objective, DAYS, INTERVAL, slo_checks.page_for())
        if plan is None:
            rows.append(f"| {format(objective, 'g')} % | {format(budget * 100, 'g')} % | refused by validate | | |")
            continue
        pages = [_pair(c, budget) for c in plan.conditions if c.alert == burn.PAIRS[0].alert]
        tickets = [_pair(c, budget) for c in plan.conditions if c.alert != burn.PAIRS[0].alert]
        minutes = f"{plan.time_to_page / 60:.1f} min"
        rows.append(
            f"| {format(objective, 'g')} % | {format(budget * 100, 'g')} % | {' or '.join(pages)} | {' or '.join(tickets)} | {minutes} |"
        )
    return "\n".join(rows)


def section(text: str) -> str:
    """``text`` with the generated table between its markers."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


if __name__ == "__main__":
    DOC.write_text(section(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    sys.exit(0)
