"""Agent Latency: how long do tasks take, per service, against the latency SLO?"""
from __future__ import annotations

from .. import durations
from ..model import Conventions, Service
from . import queries as q
from .defaults import Query, Scope, timeseries_panel

NAME = "agent-latency"
TITLE = "Agent Latency"
DESCRIPTION = "Task duration quantiles (p50, p95, p99) per service from the duration histogram, with the p95 SLO."

QUANTILES = (0.5, 0.95, 0.99)
SLO_QUANTILE = 0.95  # slo.latencyP95


def panels(scope: Scope) -> list:
    monitored = scope.monitored
    return [quantile_panel(scope.platform.metrics, monitored, quantile) for quantile in QUANTILES] if monitored else []


def _quantile(metrics: Conventions, quantile: float, matchers: tuple[str, ...]) -> str:
    buckets = q.per_service(q.rate(q.selector(metrics.duration + "_bucket", *matchers)), "le")
    return f"histogram_quantile({quantile:g}, {buckets})"


def _slo_line(metrics: Conventions, service: Service) -> Query:
    seconds = durations.seconds(service.slo.latency_p95)
    return Query(q.constant_line(seconds, _quantile(metrics, SLO_QUANTILE, q.service(service))), "{{service}} SLO")


def quantile_panel(metrics: Conventions, monitored: tuple[Service, ...], quantile: float):
    queries = [Query(_quantile(metrics, quantile, q.services(monitored)), "{{service}}")]
    if quantile == SLO_QUANTILE:
        queries += [_slo_line(metrics, s) for s in monitored if s.slo.latency_p95]
    label = f"p{quantile * 100:g}"
    description = f"The {label} of {metrics.duration} per service over the rate interval."
    if quantile == SLO_QUANTILE:
        description += " A '<service> SLO' line marks slo.latencyP95 where set."
    return timeseries_panel(f"{label} task duration", description, "s", queries, span=8)
