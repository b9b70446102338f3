"""Build/CI Heatmap: how long do builds take, and how has that moved over time?

Runners are the services recorded with ``opsgen:service_info{role="runner"}``.
"""

from __future__ import annotations

from opsgen.catalogue.model import Conventions
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import Query, Scope, heatmap_panel, timeseries_panel

NAME = "build-heatmap"
TITLE = "Build/CI Heatmap"
DESCRIPTION = "CI build durations over time from the runners' build-duration histogram."

ROLE = "runner"


def panels(scope: Scope) -> list:
    if not scope.role(ROLE):
        return []
    metrics = scope.platform.metrics
    return [duration_heatmap(metrics), builds_per_second(metrics)]


def duration_heatmap(metrics: Conventions):
    buckets = q.per_service(q.rate(q.narrowed(metrics.build_duration + "_bucket")), "le")
    query = Query(f"sum by (le) {q.catalogued(buckets, ROLE)}", "{{le}}")
    description = (
        f"Builds per second in each duration bucket of {metrics.build_duration} (all runners); darker is more builds."
    )
    return heatmap_panel("Build duration", description, "s", [query])


def builds_per_second(metrics: Conventions):
    count = q.per_service(q.rate(q.narrowed(metrics.build_duration + "_count")))
    description = f"Builds finished per second per runner service ({metrics.build_duration}_count)."
    return timeseries_panel("Builds", description, "ops", [Query(q.catalogued(count, ROLE), "{{service}}")], span=24)
