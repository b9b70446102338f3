"""Agents Overview: are the agents finishing their tasks, and within their SLO?

Agents are the services recorded with ``opsgen:service_info{role="agent"}``; SLOs
come from ``opsgen:slo_objective:ratio`` (alerting.catalogue_rules), so no query
lists the agents.
"""
from __future__ import annotations

from typing import Callable

from opsgen import conventions as conv
from opsgen.catalogue.model import Conventions
from opsgen.build.dashboards import queries as q
from opsgen.build.dashboards.defaults import Query, Scope, stat_panel, thresholds, timeseries_panel

NAME = "agents-overview"
TITLE = "Agents Overview"
DESCRIPTION = "Task successes and failures of every agent service, and its success rate against its SLO."

ROLE = "agent"
OBJECTIVE = q.narrowed(conv.SLO_OBJECTIVE_RECORD)


def panels(scope: Scope) -> list:
    agents = scope.role(ROLE)
    if not agents:
        return []
    metrics = scope.platform.metrics
    with_slo = any(a.slo.success_rate is not None for a in agents)
    out = [outcomes(metrics), success_rate(metrics, with_slo)]
    return out + [success_against_slo(metrics)] if with_slo else out


def _tasks(metrics: Conventions, outcome: str = "") -> str:
    """The requests counter; ``outcome`` is "ok", "failed" or "" for all tasks."""
    op = {"ok": "!=", "failed": "="}.get(outcome)
    extra = (f'{metrics.outcome_label}{op}"{metrics.failure_outcome}"',) if op else ()
    return q.narrowed(metrics.requests, *extra)


def _per_agent(expr: str) -> str:
    return q.catalogued(q.per_service(expr), ROLE)


def _success_ratio(metrics: Conventions, over: Callable[[str], str]) -> str:
    """1 - failed/all per agent; ``over`` turns the counter into a rate or an increase."""
    failed, total = (q.per_service(over(_tasks(metrics, o))) for o in ("failed", ""))
    return q.catalogued(f"1 - ({failed} / {total})", ROLE)


def outcomes(metrics: Conventions):
    ok, failed = (_per_agent(q.rate(_tasks(metrics, o))) for o in ("ok", "failed"))
    description = f"Tasks per second by agent, from {metrics.requests} split on its {metrics.outcome_label} label."
    queries = [Query(ok, "{{service}} succeeded"), Query(failed, "{{service}} failed")]
    return timeseries_panel("Task outcomes", description, "ops", queries)


def success_rate(metrics: Conventions, with_slo: bool):
    ratio = _success_ratio(metrics, q.rate)
    queries = [Query(ratio, "{{service}}")]
    if with_slo:  # the objective wherever the agent has traffic
        queries.append(Query(f"{OBJECTIVE} and on(namespace, service) {ratio}", "{{service}} SLO"))
    description = "Share of tasks that did not fail, per agent, with a '<agent> SLO' line at its slo.successRate."
    return timeseries_panel("Success rate", description, "percentunit", queries).min(0).max(1)


def success_against_slo(metrics: Conventions):
    margin = f"{_success_ratio(metrics, q.increase)} - on(namespace, service) {OBJECTIVE}"
    description = (
        "Success rate over the whole time range minus the agent's slo.successRate: red below zero (the agent "
        "is below its SLO), green at or above. Agents without slo.successRate are not shown."
    )
    panel = stat_panel("Success rate against SLO", description, "percentunit", [Query(margin, "{{service}}")])
    return panel.thresholds(thresholds("red", [(0, "green")]))
