"""SLOs: how much error budget does each SLO have left, how fast is it burning, and
which SLO alerts fire?

Reads the Sloth-compatible series the services' rules record per SLO
(``slo:sli_error:ratio_rate<window>``, ``slo:error_budget:ratio``,
``slo:period_error_budget_remaining:ratio``, ...; conventions.SLOTH_RECORDS),
labelled ``sloth_id``, ``sloth_service``, ``sloth_slo`` plus ``namespace`` and
``service``, joined on the Sloth labels as Sloth's own rules and dashboards do: the
success SLO (``sloth_slo="success-rate"``) and the latency SLO (``"latency"``, the
share of requests slower than slo.latency.threshold) show side by side.
Budgets are over the SLO period (30 days, rolling), whatever the time picker says.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import common
from grafana_foundation_sdk.models import common as common_model

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn, generated_alerts
from opsgen.catalogue.promql import quote
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import (
    FULL,
    Query,
    Scope,
    bargauge_panel,
    stat_panel,
    table_panel,
    thresholds,
    timeseries_panel,
)

NAME = "slo"
TITLE = "SLOs"
TAG = "slo"  # Agents Overview links to the dashboards tagged so
TAGS = (TAG,)
DESCRIPTION = "Error budget remaining over the SLO period, burn rate per window and firing SLO alerts, per SLO (Sloth-compatible series)."

SLO_JOIN = (
    f"on({conv.SLOTH_ID_LABEL}, {conv.SLOTH_SERVICE_LABEL}, {conv.SLOTH_SLO_LABEL})"  # group_left keeps the left labels
)
SLO_LEGEND = "{{service}} {{%s}}" % conv.SLOTH_SLO_LABEL
FAST_BURN = round(
    burn.PAIRS[0].consumption * burn.REFERENCE_DAYS * 86400 / durations.seconds(burn.PAIRS[0].long), 6
)  # 14.4


def windows(days: int) -> tuple[str, ...]:
    """The recorded windows of the period, then the period's own."""
    return burn.windows(days) + (burn.period(days),)


def panels(scope: Scope) -> list:
    if not any(s.slo.success_rate is not None or s.slo.latency_p95 or s.slo.latency for s in scope.monitored):
        return []
    days = scope.platform.slo_days
    return [
        budget_remaining(days),
        firing_per_service(),
        budget_over_time(days),
        burn_rates(days),
        burn_over_time(days),
        firing_alerts(),
    ]


def _slo(record: str) -> str:
    return q.narrowed(record)


def burn_rate(window: str) -> str:
    """The error ratio over ``window`` as a multiple of the error budget (1: the budget
    lasts exactly the SLO period), as Sloth records slo:current_burn_rate:ratio for 5m."""
    return f"{_slo(conv.error_ratio_record(window))} / {SLO_JOIN} group_left {_slo(conv.SLO_ERROR_BUDGET_RECORD)}"


def success_margin(days: int) -> str:
    """Success over the SLO period minus the objective, per SLO (Agents Overview)."""
    error = _slo(conv.error_ratio_record(burn.period(days)))
    return f"(1 - {error}) - {SLO_JOIN} group_left {_slo(conv.SLO_OBJECTIVE_RATIO_RECORD)}"


def firing(by: str) -> str:
    """Firing SLO alerts (conventions.SLO_ALERTS) counted ``by`` labels."""
    names = "|".join(generated_alerts.SLO_ALERTS)
    return f"count by ({by}) ({q.narrowed('ALERTS', q.equals('alertstate', 'firing'), f'alertname=~{quote(names)}')})"


def budget_remaining(days: int):
    query = Query(_slo(conv.SLO_BUDGET_REMAINING_RECORD), SLO_LEGEND)
    description = (
        f"Share of the error budget left over the SLO period (the last {burn.period(days)}, whatever the time "
        f"picker says; {conv.SLO_BUDGET_REMAINING_RECORD}): 100% with no failures, 0 when the failures used up "
        "1 - objective, negative beyond. Red below 0, orange below 25%."
    )
    panel = stat_panel("Error budget remaining", description, "percentunit", [query])
    return panel.thresholds(thresholds("red", [(0, "orange"), (0.25, "green")]))


def budget_over_time(days: int):
    query = Query(_slo(conv.SLO_BUDGET_REMAINING_RECORD), SLO_LEGEND)
    description = (
        f"The error budget left at each moment, each point over the {burn.period(days)} before it: a falling "
        "line is budget being spent, a rising one old failures leaving the period."
    )
    return timeseries_panel("Error budget remaining over time", description, "percentunit", [query], span=FULL)


def burn_rates(days: int):
    queries = [Query(burn_rate(window), f"{SLO_LEGEND} {window}") for window in windows(days)]
    description = (
        "The error ratio over each window as a multiple of the error budget (1 - objective): at 1 the budget lasts "
        f"exactly the SLO period, orange from 1, red from {FAST_BURN:g} (ErrorBudgetBurnFast's 1h factor). "
        f"The {burn.period(days)} bar is the SLO period's."
    )
    panel = bargauge_panel("Burn rate per window", description, "short", queries)
    return panel.min(0).thresholds(thresholds("green", [(1, "orange"), (FAST_BURN, "red")]))


def burn_over_time(days: int):
    queries = [
        Query(_slo(conv.SLO_CURRENT_BURN_RECORD), f"{SLO_LEGEND} now (5m)"),
        Query(_slo(conv.SLO_PERIOD_BURN_RECORD), f"{SLO_LEGEND} SLO period ({burn.period(days)})"),
    ]
    description = (
        f"Burn rate over the last 5 minutes ({conv.SLO_CURRENT_BURN_RECORD}) and over the SLO period "
        f"({conv.SLO_PERIOD_BURN_RECORD}); above the dashed 1 the budget runs out before the period ends."
    )
    style = common.GraphThresholdsStyleConfig().mode(common_model.GraphThresholdsStyleMode.DASHED)
    panel = timeseries_panel("Burn rate", description, "short", queries)
    return panel.min(0).thresholds(thresholds("green", [(1, "red")])).thresholds_style(style)


def firing_per_service():
    slos = f"max by (namespace, service) ({_slo(conv.SLO_INFO_RECORD)})"
    expr = f"{firing('namespace, service')} or on(namespace, service) {slos} * 0"
    description = f"SLO alerts firing now per service with an SLO ({', '.join(generated_alerts.SLO_ALERTS)}): 0 green, 1 or more red."
    panel = bargauge_panel("Firing SLO alerts per service", description, "short", [Query(expr, "{{service}}")])
    return panel.min(0).thresholds(thresholds("green", [(1, "red")]))


def firing_alerts():
    expr = firing(f"namespace, service, alertname, {conv.SEVERITY_LABEL}")
    description = (
        f"Every SLO alert firing now ({', '.join(generated_alerts.SLO_ALERTS)}), by service, alert and severity."
    )
    return table_panel("Firing SLO alerts", description, "No SLO alert firing", [Query(expr, "")], span=FULL)
