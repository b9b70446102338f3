"""Kafka Lag: is each Kafka-scaled service keeping up with its topic?

kafka-exporter's lag carries no namespace or service label; opsgen records each
Kafka-scaled service's lag (its consumer group on its topic, summed over
partitions) as ``opsgen:kafka_consumergroup_lag:sum{namespace, service}``, with its
``lagThreshold`` and ``slo.backlog`` as constant series (alerting.catalogue_rules).
The panels select and join those by ``(namespace, service)``: one query per line,
whatever the number of services.
"""
from __future__ import annotations

from grafana_foundation_sdk.builders import common
from grafana_foundation_sdk.models import common as common_model

from opsgen import conventions as conv
from opsgen.build.dashboards import queries as q
from opsgen.build.dashboards.defaults import FULL, Query, Scope, thresholds, timeseries_panel

NAME = "kafka-lag"
TITLE = "Kafka Lag"
DESCRIPTION = "Consumer-group lag per Kafka-scaled service against lagThreshold × replicas and the backlog alert threshold."

REPLICAS = "kube_horizontalpodautoscaler_status_current_replicas"
LAG = q.narrowed(conv.KAFKA_LAG_RECORD)
LAG_THRESHOLD = q.narrowed(conv.KAFKA_LAG_THRESHOLD_RECORD)
BACKLOG = q.narrowed(conv.KAFKA_BACKLOG_RECORD)
ON = "on(namespace, service)"


def panels(scope: Scope) -> list:
    if not scope.kafka_scaled:
        return []
    return [lag_panel(), scaling_panel(), backlog_panel()]


def _scale_out_at(replicas_at_least: int = 0) -> str:
    """lagThreshold × the current replicas of KEDA's HPA: KEDA scales out above it."""
    replicas = q.hpa_series(REPLICAS)
    if replicas_at_least:
        replicas = f"clamp_min({replicas}, {replicas_at_least})"
    return f"{LAG_THRESHOLD} * {ON} {replicas}"


def _dashed(panel, steps):
    style = common.GraphThresholdsStyleConfig().mode(common_model.GraphThresholdsStyleMode.DASHED)
    return panel.thresholds(thresholds("green", steps)).thresholds_style(style)


def lag_panel():
    queries = [
        Query(LAG, "{{service}} lag"),
        Query(_scale_out_at(), "{{service}} lagThreshold × replicas"),
        Query(BACKLOG, "{{service}} backlog threshold"),
    ]
    description = (
        "Messages each service's consumer group (scaling.kafka.consumerGroup) is behind on its topic, summed over "
        "partitions; KEDA adds replicas while lag exceeds lagThreshold × current replicas, and the backlog alert "
        "fires above slo.backlog. Pick a few services to compare the lines."
    )
    return timeseries_panel("Lag against thresholds", description, "short", queries, span=FULL)


def scaling_panel():
    expr = f"{LAG} / {ON} ({_scale_out_at(1)})"
    description = (
        "Lag as a share of lagThreshold × current replicas (at least one), per service: above 100% (dashed) KEDA "
        "scales the service out, up to maxReplicas."
    )
    panel = timeseries_panel("Lag against lagThreshold × replicas", description, "percentunit", [Query(expr, "{{service}}")])
    return _dashed(panel, [(1, "orange")])


def backlog_panel():
    expr = f"{LAG} / {ON} {BACKLOG}"
    description = (
        "Lag as a share of the backlog alert threshold (slo.backlog, default 5 × lagThreshold), per service: "
        "KafkaBacklogHigh fires after 15 minutes above 100% (dashed red)."
    )
    panel = timeseries_panel("Lag against the backlog threshold", description, "percentunit", [Query(expr, "{{service}}")])
    return _dashed(panel, [(1, "red")])
