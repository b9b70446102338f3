"""The success-rate SLO's rules: its recorded ratios and Sloth's budget series, and its
burn-rate alerts ErrorBudgetBurnFast (page) and ErrorBudgetBurnSlow (ticket).

The one writer of Sloth's series and burn expressions: ``sloth_*_rules`` and
``burn_expr`` take any SLO's ``sloth_slo`` and error ratio, and the latency SLO
(latency.py) is written by them too.

The windows, pairs and thresholds are catalogue/burn.py's (data and arithmetic, shared
with validation); this module writes them as PromQL. The SLI is ``slo.requests``: its
counter (default platform.metrics.requests) and the matchers of a failed request
(default the platform's outcome label equal to its failure outcome).

Cost (issue 22): every window reads the failures' and the requests' counter once each,
and the same counter again only as an instant vector (one sample a series) to record 0
when the service has no failure series yet or was idle; the windows the first page pair
reads are evaluated with the cluster's interval, the longer ones and the period every
burn.LONG_INTERVAL, with the constants (docs/alerts.md, "Rules and series").
"""

from __future__ import annotations

from collections.abc import Callable

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn, slo_checks
from opsgen.catalogue.model import Alert, Platform, Service
from opsgen.catalogue.templates import literal
from opsgen.generate.expr import generated, identity, number, selector, who
from opsgen.generate.kinds import Rule

Ratio = Callable[[str], str]  # the PromQL of an SLO's error ratio over a window

BY = "sum by (namespace, service) "


def budget(service: Service) -> float:
    """The allowed failure ratio, e.g. 0.05 for successRate 95."""
    return (100 - float(service.slo.success_rate or 100)) / 100


def interval(service: Service) -> float:
    """Seconds between the service's scrapes."""
    return durations.seconds(service.metrics.interval if service.metrics else slo_checks.DEFAULT_INTERVAL)


def plan(service: Service, platform: Platform, objective: float | None = None) -> burn.Plan:
    """How an SLO of the service alerts (validation refused the objectives without one);
    ``objective``: the latency SLO's, default the success SLO's."""
    objective = float(service.slo.success_rate or 0) if objective is None else objective
    found = burn.plan(objective, platform.slo_days, interval(service), slo_checks.page_for())
    assert found is not None, f"{service.name}: validate accepts only objectives that can page"
    return found


# --- the SLI -------------------------------------------------------------------


def requests_metric(service: Service, platform: Platform) -> str:
    return service.slo.requests_metric or platform.metrics.requests


def failed_selector(service: Service, platform: Platform) -> str:
    """The failed requests: slo.requests.failures (``=~``), else outcome="failure"."""
    metric, ident = requests_metric(service, platform), identity(service)
    if service.slo.failures:
        return selector(metric, ident, regex=service.slo.failures)
    return selector(metric, {**ident, platform.metrics.outcome_label: platform.metrics.failure_outcome})


def failure_labels(service: Service, platform: Platform) -> tuple[str, ...]:
    """The labels a failed request is told by."""
    return tuple(label for label, _ in service.slo.failures) or (platform.metrics.outcome_label,)


def error_ratio(service: Service, platform: Platform, window: str) -> str:
    """Failed / all requests over ``window``; 0 when the service exports its counter but has
    no failure series (prometheus_client creates it with the first failure) or did no
    request in the window (0/0, NaN, filtered by ``>= 0``); empty when there is no counter
    at all (target down, metric renamed: other alerts say so)."""
    every = selector(requests_metric(service, platform), identity(service))
    failed = f"{BY}(rate({failed_selector(service, platform)}[{window}]))"
    total = f"{BY}(rate({every}[{window}]))"
    return f"({failed} / {total} >= 0) or on (namespace, service) (0 * max by (namespace, service) ({every}))"


# --- recording rules (any SLO: ``name`` is its sloth_slo, ``ratio`` its error ratio over a window) ---


def _slo_selector(record: str, service: Service, name: str) -> str:
    return selector(record, {**identity(service), **conv.sloth_labels(service, name)})


def _record(service: Service, name: str, record: str, expr: str, **extra: str) -> Rule:
    return Rule(record=record, expr=expr, labels={**identity(service), **conv.sloth_labels(service, name), **extra})


def _ratio_rule(service: Service, name: str, ratio: Ratio, window: str) -> Rule:
    return _record(service, name, conv.error_ratio_record(window), ratio(window), **{conv.SLOTH_WINDOW_LABEL: window})


def _burn(service: Service, name: str, window: str) -> str:
    on = f"on ({', '.join(conv.sloth_labels(service, name))}) group_left "
    budget_of = _slo_selector(conv.SLO_ERROR_BUDGET_RECORD, service, name)
    return f"{_slo_selector(conv.error_ratio_record(window), service, name)} / {on}{budget_of}"


def sloth_fast_rules(service: Service, platform: Platform, name: str, ratio: Ratio) -> tuple[Rule, ...]:
    """The ratios the first page pair may read, and Sloth's current (5m) burn rate."""
    windows = burn.fast_windows(platform.slo_days)
    ratios = tuple(_ratio_rule(service, name, ratio, w) for w in windows)
    return ratios + (_record(service, name, conv.SLO_CURRENT_BURN_RECORD, _burn(service, name, windows[0])),)


def sloth_long_rules(service: Service, platform: Platform, name: str, ratio: Ratio) -> tuple[Rule, ...]:
    """The longer ratios, the period's (bad over all requests over the whole period:
    weighted by requests, idle time counting for nothing), its burn rate and the budget left."""
    days, fast = platform.slo_days, set(burn.fast_windows(platform.slo_days))
    windows = [w for w in burn.windows(days) if w not in fast] + [burn.period(days)]
    remaining = f"1 - {_slo_selector(conv.SLO_PERIOD_BURN_RECORD, service, name)}"
    return tuple(_ratio_rule(service, name, ratio, w) for w in windows) + (
        _record(service, name, conv.SLO_PERIOD_BURN_RECORD, _burn(service, name, burn.period(days))),
        _record(service, name, conv.SLO_BUDGET_REMAINING_RECORD, remaining),
    )


def sloth_constant_rules(service: Service, platform: Platform, name: str, objective: float) -> tuple[Rule, ...]:
    """Sloth's constants of the SLO: objective, budget, period and ``sloth_slo_info``."""
    info = {conv.SLOTH_OBJECTIVE_LABEL: number(objective), conv.SLOTH_MODE_LABEL: conv.SLOTH_MODE}
    return (
        _record(service, name, conv.SLO_OBJECTIVE_RATIO_RECORD, f"vector({number(objective / 100)})"),
        _record(service, name, conv.SLO_ERROR_BUDGET_RECORD, f"vector({number((100 - objective) / 100)})"),
        _record(service, name, conv.SLO_TIME_PERIOD_RECORD, f"vector({platform.slo_days})"),
        _record(service, name, conv.SLO_INFO_RECORD, "vector(1)", **info),
    )


def fast_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    if service.slo.success_rate is None:
        return ()
    return sloth_fast_rules(service, platform, conv.SLO_NAME, lambda w: error_ratio(service, platform, w))


def long_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    if service.slo.success_rate is None:
        return ()
    return sloth_long_rules(service, platform, conv.SLO_NAME, lambda w: error_ratio(service, platform, w))


def constant_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    if service.slo.success_rate is None:
        return ()
    return sloth_constant_rules(service, platform, conv.SLO_NAME, float(service.slo.success_rate))


# --- alerts ------------------------------------------------------------------------


def burn_summary(service: Service, platform: Platform, fast: bool, budget_of: str) -> tuple[str, str]:
    """(the period, the summary) of a burn alert of either SLO: "<service> is burning its 30d <budget_of> fast"."""
    period = burn.period(platform.slo_days)
    speed = "fast" if fast else "slowly but steadily"
    return period, f"{literal(service.name)} is burning its {period} {budget_of} {speed}."


def burn_alert(service: Service, platform: Platform, name: str) -> Alert:
    period, summary = burn_summary(service, platform, name == conv.ALERT_BURN_FAST, "error budget")
    description = (
        f"{who(service)}: {{{{ $value | humanizePercentage }}}} of recent requests failed; "
        f"the SLO allows {number(budget(service) * 100)}% over {period}."
    )
    conditions = tuple(c for c in plan(service, platform).conditions if c.alert == name)
    expr = burn_expr(service, conv.SLO_NAME, conditions, lambda c: _min_failures(service, platform, c))
    return generated(name, service, expr, summary, description)


def burn_expr(
    service: Service,
    name: str,
    conditions: tuple[burn.Condition, ...],
    extra: Callable[[burn.Condition], list[str]] = lambda condition: [],
) -> str:
    """Any of ``conditions`` (of the SLO ``name``; burn.plan gives every alert one at
    least); as Sloth does, each side drops ``sloth_window`` so that they match (the alert
    keeps the identity and Sloth's SLO labels); ``extra``: more sides a condition needs."""
    drop = f"max without ({conv.SLOTH_WINDOW_LABEL}) "

    def sides(condition: burn.Condition) -> list[str]:
        threshold = number(condition.threshold)
        windows = dict.fromkeys((condition.short, condition.long))
        ratios = [f"{drop}({_slo_selector(conv.error_ratio_record(w), service, name)} > {threshold})" for w in windows]
        return ratios + extra(condition)

    return " or ".join(f"({' and '.join(sides(c))})" for c in conditions)


def _min_failures(service: Service, platform: Platform, condition: burn.Condition) -> list[str]:
    """With slo.minFailures above 1, the long window must also hold that many failures."""
    if service.slo.min_failures <= 1:
        return []
    failed = f"{BY}(increase({failed_selector(service, platform)}[{condition.long}]))"
    return [f"on (namespace, service) ({failed} >= {service.slo.min_failures})"]


def time_to_page(service: Service, platform: Platform) -> float:
    """Seconds from the start of a total outage to ErrorBudgetBurnFast firing."""
    return plan(service, platform).time_to_page
