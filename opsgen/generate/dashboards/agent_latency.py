"""Agent Latency: how long do tasks take, per service, against the latency SLO?

Services are those recorded with ``opsgen:service_info`` (every service with
metrics); the SLO line is ``opsgen:slo_latency_p95:seconds`` (alerting.catalogue_rules).
"""

from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.model import Conventions
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import Query, Scope, timeseries_panel

NAME = "agent-latency"
TITLE = "Agent Latency"
DESCRIPTION = "Task duration quantiles (p50, p95, p99) per service from the duration histogram, with the p95 SLO."

QUANTILES = (0.5, 0.95, 0.99)
SLO_QUANTILE = 0.95  # slo.latencyP95


def panels(scope: Scope) -> list:
    monitored = scope.monitored
    if not monitored:
        return []
    return [quantile_panel(scope.platform.metrics, quantile) for quantile in QUANTILES]


def _quantile(metrics: Conventions, quantile: float) -> str:
    buckets = q.per_service(q.rate(q.narrowed(metrics.duration + "_bucket")), "le")
    return q.catalogued(f"histogram_quantile({quantile:g}, {buckets})")


def quantile_panel(metrics: Conventions, quantile: float):
    expr = _quantile(metrics, quantile)
    queries = [Query(expr, "{{service}}")]
    slo_line = quantile == SLO_QUANTILE
    if slo_line:  # the SLO wherever the service has traffic
        queries.append(
            Query(f"{q.narrowed(conv.SLO_LATENCY_RECORD)} and on(namespace, service) {expr}", "{{service}} SLO")
        )
    label = f"p{quantile * 100:g}"
    description = f"The {label} of {metrics.duration} per service over the rate interval."
    if slo_line:
        description += (
            " A '<service> SLO' line marks slo.latencyP95 where set; the quantile is interpolated inside a bucket, "
            "LatencyP95High is not: it reads the share of requests in the latencyP95 bucket (docs/alerts.md)."
        )
    return timeseries_panel(f"{label} task duration", description, "s", queries, span=8)
