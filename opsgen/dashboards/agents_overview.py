"""Agents Overview: are the agents finishing their tasks, and within their SLO?"""
from __future__ import annotations

from typing import Callable

from grafana_foundation_sdk.models.dashboard import DynamicConfigValue

from ..model import Conventions, Service
from . import queries as q
from .defaults import Query, Scope, stat_panel, thresholds, timeseries_panel

NAME = "agents-overview"
TITLE = "Agents Overview"
DESCRIPTION = "Task successes and failures of every agent service, and its success rate against its SLO."


def panels(scope: Scope) -> list:
    agents = scope.role("agent")
    if not agents:
        return []
    metrics = scope.platform.metrics
    return [outcomes(metrics, agents), success_rate(metrics, agents), success_against_slo(metrics, agents)]


def _tasks(metrics: Conventions, matchers: tuple[str, ...], outcome: str = "") -> str:
    """The requests counter; ``outcome`` is "ok", "failed" or "" for all tasks."""
    op = {"ok": "!=", "failed": "="}.get(outcome)
    extra = (f'{metrics.outcome_label}{op}"{metrics.failure_outcome}"',) if op else ()
    return q.selector(metrics.requests, *matchers, *extra)


def _success_ratio(metrics: Conventions, matchers: tuple[str, ...], over: Callable[[str], str]) -> str:
    """1 - failed/all per service; ``over`` turns the counter into a rate or an increase."""
    failed, total = (q.per_service(over(_tasks(metrics, matchers, o))) for o in ("failed", ""))
    return f"1 - ({failed} / {total})"


def outcomes(metrics: Conventions, agents: tuple[Service, ...]):
    ok, failed = (q.per_service(q.rate(_tasks(metrics, q.services(agents), o))) for o in ("ok", "failed"))
    description = f"Tasks per second by agent, from {metrics.requests} split on its {metrics.outcome_label} label."
    queries = [Query(ok, "{{service}} succeeded"), Query(failed, "{{service}} failed")]
    return timeseries_panel("Task outcomes", description, "ops", queries)


def success_rate(metrics: Conventions, agents: tuple[Service, ...]):
    queries = [Query(_success_ratio(metrics, q.services(agents), q.rate), "{{service}}")]
    for agent in agents:
        if agent.slo.success_rate is not None:
            traffic = q.per_service(q.rate(_tasks(metrics, q.service(agent))))
            queries.append(Query(q.constant_line(agent.slo.success_rate / 100, traffic), "{{service}} SLO"))
    description = "Share of tasks that did not fail, per agent, with a '<agent> SLO' line at its slo.successRate."
    return timeseries_panel("Success rate", description, "percentunit", queries).min(0).max(1)


def success_against_slo(metrics: Conventions, agents: tuple[Service, ...]):
    ratio = _success_ratio(metrics, q.services(agents), q.increase)
    description = "Success rate over the whole time range: red below the agent's slo.successRate, green at or above it."
    panel = stat_panel("Success rate against SLO", description, "percentunit", [Query(ratio, "{{service}}")])
    panel = panel.thresholds(thresholds("blue", []))
    for agent in agents:
        if agent.slo.success_rate is not None:
            panel = panel.override_by_name(agent.name, [_slo_thresholds(agent.slo.success_rate / 100)])
    return panel


def _slo_thresholds(objective: float) -> DynamicConfigValue:
    return DynamicConfigValue("thresholds", thresholds("red", [(objective, "green")]).build())
