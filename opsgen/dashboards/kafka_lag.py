"""Kafka Lag: is each Kafka-scaled service keeping up with its topic?

kafka-exporter's lag carries no namespace or service label; each series is
kept only while the service's KEDA HPA (kube-state-metrics) matches the
namespace and service variables, which also keeps it when scaled to zero.
"""
from __future__ import annotations

from grafana_foundation_sdk.builders import common
from grafana_foundation_sdk.models import common as common_model

from ..model import Service
from . import queries as q
from .defaults import Query, Scope, thresholds, timeseries_panel

NAME = "kafka-lag"
TITLE = "Kafka Lag"
DESCRIPTION = "Consumer-group lag per Kafka-scaled service against lagThreshold × replicas and the backlog alert threshold."

LAG = "kafka_consumergroup_lag"
REPLICAS = "kube_horizontalpodautoscaler_status_current_replicas"


def panels(scope: Scope) -> list:
    return [lag_panel(s) for s in scope.kafka_scaled]


def _replicas(service: Service) -> str:
    return f"max({q.selector(REPLICAS, *q.hpa(service))})"


def _lag(service: Service) -> str:
    kafka = service.scaling.kafka
    series = q.selector(LAG, q.equals("consumergroup", kafka.consumer_group), q.equals("topic", kafka.topic))
    return f"sum({series}) and on() {_replicas(service)}"


def lag_panel(service: Service):
    kafka = service.scaling.kafka
    queries = [
        Query(_lag(service), "lag"),
        Query(f"{kafka.lag_threshold} * {_replicas(service)}", "lagThreshold × replicas"),
    ]
    description = (
        f"Messages consumer group {kafka.consumer_group} is behind on {kafka.topic}. KEDA adds replicas while lag "
        f"exceeds lagThreshold ({kafka.lag_threshold}) × current replicas; the red line is the backlog alert "
        f"threshold (slo.backlog = {service.slo.backlog})."
    )
    panel = timeseries_panel(f"{service.name}: lag on {kafka.topic}", description, "short", queries)
    style = common.GraphThresholdsStyleConfig().mode(common_model.GraphThresholdsStyleMode.DASHED)
    return panel.thresholds(thresholds("green", [(service.slo.backlog, "red")])).thresholds_style(style)
