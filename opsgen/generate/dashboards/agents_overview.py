"""Agents Overview: are the agents finishing their tasks, and within their SLO?

Agents are the services recorded with ``opsgen:service_info{role="agent"}``; SLOs
come from Sloth's ``slo:objective:ratio`` (generate/slo.constant_rules) and, over the
SLO period, from the Sloth-compatible ``slo:*`` series, so no query lists the agents.
A healthy agent has no failure series (prometheus_client creates it on the first
failure): its failures read 0, never "No data" (queries.or_zero).
"""

from __future__ import annotations

from collections.abc import Callable

from opsgen import conventions as conv
from opsgen.catalogue.model import Conventions
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards import slo
from opsgen.generate.dashboards.defaults import Query, Scope, stat_panel, thresholds, timeseries_panel

NAME = "agents-overview"
TITLE = "Agents Overview"
DESCRIPTION = "Task successes and failures of every agent service, and its success rate against its SLO."
LINKED = (slo.TAG,)  # dashboard links: the SLO dashboard

ROLE = "agent"
# The success SLO's objective, as Sloth records it, with the service's identity only
OBJECTIVE = (
    f"max without ({conv.SLOTH_ID_LABEL}, {conv.SLOTH_SERVICE_LABEL}, {conv.SLOTH_SLO_LABEL}) "
    f"({q.narrowed(conv.SLO_OBJECTIVE_RATIO_RECORD, q.equals(conv.SLOTH_SLO_LABEL, conv.SLO_NAME))})"
)


def panels(scope: Scope) -> list:
    if not scope.role(ROLE):
        return []
    metrics = scope.platform.metrics
    return [outcomes(metrics), success_rate(metrics), success_against_slo(scope.platform.slo_days)]


def _tasks(metrics: Conventions, outcome: str = "") -> str:
    """The requests counter; ``outcome`` is "ok", "failed" or "" for all tasks."""
    op = {"ok": "!=", "failed": "="}.get(outcome)
    extra = (f'{metrics.outcome_label}{op}"{metrics.failure_outcome}"',) if op else ()
    return q.narrowed(metrics.requests, *extra)


def _per_agent(metrics: Conventions, outcome: str, over: Callable[[str], str] = q.rate) -> str:
    """Tasks of ``outcome`` per agent (``over``: rate or increase); 0 where the agent has
    tasks but no series of that outcome yet."""
    total = q.per_service(over(_tasks(metrics)))
    return q.or_zero(q.per_service(over(_tasks(metrics, outcome))), total) if outcome else total


def _success_ratio(metrics: Conventions, over: Callable[[str], str]) -> str:
    """1 - failed/all per agent; ``over`` turns the counter into a rate or an increase."""
    failed, total = (_per_agent(metrics, o, over) for o in ("failed", ""))
    return q.catalogued(f"1 - ({failed} / {total})", ROLE)


def outcomes(metrics: Conventions):
    ok, failed = (q.catalogued(_per_agent(metrics, o), ROLE) for o in ("ok", "failed"))
    description = (
        f"Tasks per second by agent, from {metrics.requests} split on its {metrics.outcome_label} label "
        "(0 failed while an agent has never failed)."
    )
    queries = [Query(ok, "{{service}} succeeded"), Query(failed, "{{service}} failed")]
    return timeseries_panel("Task outcomes", description, "ops", queries)


def success_rate(metrics: Conventions):
    ratio = _success_ratio(metrics, q.rate)
    queries = [  # the objective wherever the agent has traffic
        Query(ratio, "{{service}}"),
        Query(f"{OBJECTIVE} and on(namespace, service) {ratio}", "{{service}} SLO"),
    ]
    description = (
        "Share of tasks that did not fail, per agent (100% while it has never failed), with a '<agent> SLO' line "
        "at its slo.successRate."
    )
    return timeseries_panel("Success rate", description, "percentunit", queries).min(0).max(1)


def success_against_slo(days: int):
    margin = q.catalogued(slo.success_margin(days), ROLE)
    period = f"{days}d"
    description = (
        f"Success over the SLO period ({period}, whatever the time picker says: "
        f"1 - {conv.error_ratio_record(period)}) minus the objective ({conv.SLO_OBJECTIVE_RATIO_RECORD}), "
        "per agent and SLO: red below zero (the agent is below its SLO), green at or above. Agents without an SLO "
        "are not shown; the SLO dashboard has their error budgets."
    )
    panel = stat_panel(
        "Success rate against SLO", description, "percentunit", [Query(margin, "{{service}} {{sloth_slo}}")]
    )
    return panel.thresholds(thresholds("red", [(0, "green")]))
