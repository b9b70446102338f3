"""Kafka Lag: is each Kafka-scaled service keeping up with its topic?

kafka-exporter's consumer-group series carry no namespace or service label; opsgen
records each Kafka-scaled service's consumer group and topic as
``opsgen:kafka_consumer_info{namespace, service, consumergroup, topic}``, and its
``lagThreshold`` and ``slo.backlog`` as constant series (alerting.catalogue_rules,
alerting.dashboard_rules). The panels join kafka-exporter's series to those on
``(consumergroup, topic)`` and ``(namespace, service)``: one query per line,
whatever the number of services. kafka-exporter reports lag -1 for a partition the
group never committed: those are left out (``>= 0``) before anything is summed, as
kafka-exporter's own ``_sum`` series do, so they cannot cancel real backlog.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import common
from grafana_foundation_sdk.models import common as common_model

from opsgen import conventions as conv
from opsgen.catalogue import generated_alerts
from opsgen.catalogue.schema import BACKLOG_DEFAULT
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import FULL, Query, Scope, thresholds, timeseries_panel

NAME = "kafka-lag"
TITLE = "Kafka Lag"
DESCRIPTION = (
    "Consumer-group lag per Kafka-scaled service against lagThreshold × replicas and the backlog alert threshold, "
    "its consume rate, time to drain and lag per partition."
)

LAG_METRIC = "kafka_consumergroup_lag"
OFFSET_METRIC = "kafka_consumergroup_current_offset"
REPLICAS = "kube_horizontalpodautoscaler_status_current_replicas"
LAG_THRESHOLD = q.narrowed(conv.KAFKA_LAG_THRESHOLD_RECORD)
BACKLOG = q.narrowed(conv.KAFKA_BACKLOG_RECORD)
ON = "on(namespace, service)"
PARTITION_LEGEND = "{{service}} {{%s}}/{{%s}}" % (conv.TOPIC_LABEL, conv.PARTITION_LABEL)


def panels(scope: Scope) -> list:
    if not scope.kafka_scaled:
        return []
    return [lag_panel(), consume_rate_panel(), drain_panel(), partition_panel(), scaling_panel(), backlog_panel()]


def partition_lag() -> str:
    """Lag per partition of each service's consumer group on its topic, without the -1s."""
    return q.consumer_series(f"({LAG_METRIC} >= 0)")


def lag() -> str:
    """Lag per service: its committed partitions' lag, summed."""
    return q.per_service(partition_lag())


def consume_rate() -> str:
    """Messages per second each service's consumer group commits on its topic."""
    return q.per_service(q.consumer_series(q.rate(OFFSET_METRIC)))


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
        Query(lag(), "{{service}} lag"),
        Query(_scale_out_at(), "{{service}} lagThreshold × replicas"),
        Query(BACKLOG, "{{service}} backlog threshold"),
    ]
    description = (
        "Messages each service's consumer group (scaling.kafka.consumerGroup) is behind on its topic, summed over "
        "the partitions it has committed (kafka-exporter's -1 for the others is left out); KEDA adds replicas while "
        "lag exceeds lagThreshold × current replicas, and the backlog alert fires above slo.backlog. Pick a few "
        "services to compare the lines."
    )
    return timeseries_panel("Lag against thresholds", description, "short", queries, span=FULL)


def consume_rate_panel():
    description = (
        f"Messages per second each service's consumer group consumes from its topic: the rate of its committed "
        f"offsets ({OFFSET_METRIC}), summed over partitions."
    )
    return timeseries_panel("Consume rate", description, "ops", [Query(consume_rate(), "{{service}}")])


def drain_panel():
    expr = f"{lag()} / {ON} ({consume_rate()} > 0)"
    description = (
        "How long the current lag takes to consume at the current consume rate (lag / consume rate), per service, "
        "if no new messages arrived. No line while the group consumes nothing: at that rate it never drains."
    )
    return timeseries_panel("Time to drain", description, "s", [Query(expr, "{{service}}")])


def partition_panel():
    description = (
        "Lag of each service's consumer group per partition of its topic: one hot partition shows here before it "
        "moves the total. Partitions the group never committed (kafka-exporter reports -1) are not drawn."
    )
    return timeseries_panel(
        "Lag per partition", description, "short", [Query(partition_lag(), PARTITION_LEGEND)], span=FULL
    )


def scaling_panel():
    expr = f"{lag()} / {ON} ({_scale_out_at(1)})"
    description = (
        "Lag as a share of lagThreshold × current replicas (at least one), per service: above 100% (dashed) KEDA "
        "scales the service out, up to maxReplicas and at most one replica per partition of its topic."
    )
    panel = timeseries_panel(
        "Lag against lagThreshold × replicas", description, "percentunit", [Query(expr, "{{service}}")]
    )
    return _dashed(panel, [(1, "orange")])


def backlog_panel():
    expr = f"{lag()} / {ON} {BACKLOG}"
    description = (
        f"Lag as a share of the backlog alert threshold (slo.backlog, default {BACKLOG_DEFAULT}), per service: "
        f"{conv.ALERT_BACKLOG} fires after {generated_alerts.BY_NAME[conv.ALERT_BACKLOG].for_} above 100% (dashed red)."
    )
    panel = timeseries_panel(
        "Lag against the backlog threshold", description, "percentunit", [Query(expr, "{{service}}")]
    )
    return _dashed(panel, [(1, "red")])
