"""Build/CI Heatmap: how long do builds take, and how has that moved over time?"""
from __future__ import annotations

from ..model import Conventions, Service
from . import queries as q
from .defaults import Query, Scope, heatmap_panel, timeseries_panel

NAME = "build-heatmap"
TITLE = "Build/CI Heatmap"
DESCRIPTION = "CI build durations over time from the runners' build-duration histogram."


def panels(scope: Scope) -> list:
    runners = scope.role("runner")
    if not runners:
        return []
    metrics = scope.platform.metrics
    return [duration_heatmap(metrics, runners), builds_per_second(metrics, runners)]


def duration_heatmap(metrics: Conventions, runners: tuple[Service, ...]):
    buckets = q.selector(metrics.build_duration + "_bucket", *q.services(runners))
    query = Query(f"sum by (le) ({q.rate(buckets)})", "{{le}}")
    description = f"Builds per second in each duration bucket of {metrics.build_duration} (all runners); darker is more builds."
    return heatmap_panel("Build duration", description, "s", [query])


def builds_per_second(metrics: Conventions, runners: tuple[Service, ...]):
    count = q.selector(metrics.build_duration + "_count", *q.services(runners))
    description = f"Builds finished per second per runner service ({metrics.build_duration}_count)."
    return timeseries_panel("Builds", description, "ops", [Query(q.per_service(q.rate(count)), "{{service}}")], span=24)
