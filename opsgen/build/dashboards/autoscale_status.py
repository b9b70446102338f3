"""Autoscale Status: is each scaled service where its autoscaler wants it, within bounds,
and is KEDA reading its triggers?

Replicas come from kube-state-metrics for the HPA that scales the service (KEDA's
``keda-hpa-<name>`` for Kafka scaling, else the service's own), joined to the
service through the recorded ``opsgen:hpa_info`` (alerting.catalogue_rules): one
query per line, whatever the number of services. KEDA 2.13's operator metrics
carry the ScaledObject (named after the service). The KEDA chart's
ServiceMonitor cannot honour labels, so Prometheus keeps the operator's own
namespace in ``namespace`` and the ScaledObject's in ``exported_namespace``.
"""
from __future__ import annotations

from grafana_foundation_sdk.builders import common
from grafana_foundation_sdk.models import common as common_model

from opsgen.build.dashboards import queries as q
from opsgen.build.dashboards.defaults import FULL, Query, Scope, thresholds, timeseries_panel

NAME = "autoscale-status"
TITLE = "Autoscale Status"
DESCRIPTION = "Current and desired replicas against min/max per scaled service, and KEDA's scaler values, activity and errors."

KEDA_NAMESPACE = "exported_namespace"
HPA_SERIES = (  # (legend, kube-state-metrics series)
    ("current", "kube_horizontalpodautoscaler_status_current_replicas"),
    ("desired", "kube_horizontalpodautoscaler_status_desired_replicas"),
    ("min", "kube_horizontalpodautoscaler_spec_min_replicas"),
    ("max", "kube_horizontalpodautoscaler_spec_max_replicas"),
)


def panels(scope: Scope) -> list:
    if not scope.scaled:
        return []
    replicas = [replicas_panel(), at_max_panel()]
    return replicas + ([scaler_errors(), scaler_values(), scaler_active()] if scope.kafka_scaled else [])  # rows of 24 columns


def replicas_panel():
    queries = [Query(q.hpa_series(metric), "{{service}} " + legend) for legend, metric in HPA_SERIES]
    description = (
        "Replicas of each scaled service as its HPA (KEDA's for Kafka scaling) sees them: current and desired against "
        "the min and max bounds. Pick a few services to compare the lines."
    )
    return timeseries_panel("Replicas against bounds", description, "short", queries, span=FULL)


def at_max_panel():
    current, maximum = (q.hpa_series(metric) for _, metric in (HPA_SERIES[0], HPA_SERIES[3]))
    expr = f"{current} / on(namespace, service) {maximum}"
    description = "Current replicas as a share of maxReplicas, per service: at 100% (dashed red) it cannot scale further (ReplicasAtMax)."
    panel = timeseries_panel("Replicas against max", description, "percentunit", [Query(expr, "{{service}}")])
    style = common.GraphThresholdsStyleConfig().mode(common_model.GraphThresholdsStyleMode.DASHED)
    return panel.min(0).thresholds(thresholds("green", [(1, "red")])).thresholds_style(style)


def _keda(metric: str) -> str:
    return q.selector(metric, f'{KEDA_NAMESPACE}=~"$namespace"', 'scaledObject=~"$service"')


def scaler_values():
    expr = f"max by ({KEDA_NAMESPACE}, scaledObject, metric) ({_keda('keda_scaler_metrics_value')})"
    description = "The value of each scaler's metric that KEDA hands the HPA (for Kafka: the lag it computed)."
    return timeseries_panel("KEDA scaler metric values", description, "short", [Query(expr, "{{scaledObject}} {{metric}}")], span=FULL)


def scaler_active():
    expr = f"max by ({KEDA_NAMESPACE}, scaledObject, scaler) ({_keda('keda_scaler_active')})"
    description = "Whether each scaler is active (1): above its activation threshold, so the target is scaled above zero."
    return timeseries_panel("KEDA scaler active", description, "bool_on_off", [Query(expr, "{{scaledObject}} {{scaler}}")])


def scaler_errors():
    expr = f"sum by ({KEDA_NAMESPACE}, scaledObject) ({q.rate(_keda('keda_scaler_errors'))})"
    description = "Errors per second KEDA met reading each ScaledObject's scalers (e.g. Kafka unreachable)."
    return timeseries_panel("KEDA scaler errors", description, "cps", [Query(expr, "{{scaledObject}}")])
