"""The success-rate SLO's rules: its recorded ratios and Sloth's budget series, and its
burn-rate alerts ErrorBudgetBurnFast (page) and ErrorBudgetBurnSlow (ticket).

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

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn, slo_checks
from opsgen.catalogue import generated_alerts as table
from opsgen.catalogue.model import Alert, Platform, Service
from opsgen.catalogue.templates import literal
from opsgen.generate.expr import identity, number, selector
from opsgen.generate.kinds import Rule

BY = "sum by (namespace, service) "


def budget(service: Service) -> float:
    """The allowed failure ratio, e.g. 0.05 for successRate 95."""
    return (100 - float(service.slo.success_rate or 100)) / 100


def interval(service: Service) -> float:
    """Seconds between the service's scrapes."""
    return durations.seconds(service.metrics.interval if service.metrics else slo_checks.DEFAULT_INTERVAL)


def plan(service: Service, platform: Platform) -> burn.Plan:
    """How the service's success SLO alerts (validation refused the objectives without one)."""
    found = burn.plan(float(service.slo.success_rate or 0), platform.slo_days, interval(service), slo_checks.page_for())
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


# --- recording rules -------------------------------------------------------------


def _slo_selector(record: str, service: Service) -> str:
    return selector(record, {**identity(service), **conv.sloth_labels(service)})


def _ratio_rule(service: Service, platform: Platform, window: str) -> Rule:
    labels = {**identity(service), **conv.sloth_labels(service), conv.SLOTH_WINDOW_LABEL: window}
    return Rule(record=conv.error_ratio_record(window), expr=error_ratio(service, platform, window), labels=labels)


def _burn(service: Service, window: str) -> str:
    on = f"on ({', '.join(conv.sloth_labels(service))}) group_left "
    return f"{_slo_selector(conv.error_ratio_record(window), service)} / {on}{_slo_selector(conv.SLO_ERROR_BUDGET_RECORD, service)}"


def _record(service: Service, name: str, expr: str, **extra: str) -> Rule:
    return Rule(record=name, expr=expr, labels={**identity(service), **conv.sloth_labels(service), **extra})


def fast_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    """The ratios the first page pair may read, and Sloth's current (5m) burn rate."""
    if service.slo.success_rate is None:
        return ()
    windows = burn.fast_windows(platform.slo_days)
    ratios = tuple(_ratio_rule(service, platform, w) for w in windows)
    return ratios + (_record(service, conv.SLO_CURRENT_BURN_RECORD, _burn(service, windows[0])),)


def long_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    """The longer ratios, the period's (failures over requests over the whole period:
    weighted by requests, idle time counting for nothing), its burn rate and the budget left."""
    if service.slo.success_rate is None:
        return ()
    days, fast = platform.slo_days, set(burn.fast_windows(platform.slo_days))
    windows = [w for w in burn.windows(days) if w not in fast] + [burn.period(days)]
    remaining = f"1 - {_slo_selector(conv.SLO_PERIOD_BURN_RECORD, service)}"
    return tuple(_ratio_rule(service, platform, w) for w in windows) + (
        _record(service, conv.SLO_PERIOD_BURN_RECORD, _burn(service, burn.period(days))),
        _record(service, conv.SLO_BUDGET_REMAINING_RECORD, remaining),
    )


def constant_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    """Sloth's constants of the SLO: objective, budget, period and ``sloth_slo_info``."""
    if service.slo.success_rate is None:
        return ()
    objective = float(service.slo.success_rate)
    info = {conv.SLOTH_OBJECTIVE_LABEL: number(objective), conv.SLOTH_MODE_LABEL: conv.SLOTH_MODE}
    return (
        _record(service, conv.SLO_OBJECTIVE_RATIO_RECORD, f"vector({number(objective / 100)})"),
        _record(service, conv.SLO_ERROR_BUDGET_RECORD, f"vector({number(budget(service))})"),
        _record(service, conv.SLO_TIME_PERIOD_RECORD, f"vector({platform.slo_days})"),
        _record(service, conv.SLO_INFO_RECORD, "vector(1)", **info),
    )


# --- alerts ------------------------------------------------------------------------


def burn_alert(service: Service, platform: Platform, name: str) -> Alert:
    conditions = [c for c in plan(service, platform).conditions if c.alert == name]
    expr = " or ".join(f"({_condition(service, platform, c)})" for c in conditions)  # burn.plan: never none
    period = burn.period(platform.slo_days)
    speed = "fast" if name == conv.ALERT_BURN_FAST else "slowly but steadily"
    summary = f"{literal(service.name)} is burning its {period} error budget {speed}."
    description = (
        f"{literal(f'{service.namespace}/{service.name}')}: {{{{ $value | humanizePercentage }}}} of recent requests failed; "
        f"the SLO allows {number(budget(service) * 100)}% over {period}."
    )
    policy = table.BY_NAME[name]
    return Alert(name, expr, policy.severity, summary, policy.for_, description, None, service.team)


def _condition(service: Service, platform: Platform, condition: burn.Condition) -> str:
    """Both windows above the threshold; as Sloth does, each side drops ``sloth_window``
    so that they match (the alert keeps the identity and Sloth's SLO labels). With
    slo.minFailures above 1, the long window must also hold that many failures."""
    threshold = number(condition.threshold)
    drop = f"max without ({conv.SLOTH_WINDOW_LABEL}) "
    windows = dict.fromkeys((condition.short, condition.long))
    sides = [f"{drop}({_slo_selector(conv.error_ratio_record(w), service)} > {threshold})" for w in windows]
    if service.slo.min_failures > 1:
        failed = f"{BY}(increase({failed_selector(service, platform)}[{condition.long}]))"
        sides.append(f"on (namespace, service) ({failed} >= {service.slo.min_failures})")
    return " and ".join(sides)


def time_to_page(service: Service, platform: Platform) -> float:
    """Seconds from the start of a total outage to ErrorBudgetBurnFast firing."""
    return plan(service, platform).time_to_page
