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

from opsgen import conventions as conv
from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import FULL, Query, Scope, thresholds, timeseries_panel

NAME = "autoscale-status"
TITLE = "Autoscale Status"
DESCRIPTION = "Current and desired replicas against min/max per scaled service, and KEDA's errors, paused state, scaler values and activity."

KEDA_NAMESPACE = q.KEDA_NAMESPACE
HPA_SERIES = (  # (legend, kube-state-metrics series)
    ("current", "kube_horizontalpodautoscaler_status_current_replicas"),
    ("desired", "kube_horizontalpodautoscaler_status_desired_replicas"),
    ("max", "kube_horizontalpodautoscaler_spec_max_replicas"),
)
MIN_REPLICAS = q.narrowed(conv.MIN_REPLICAS_RECORD)


def panels(scope: Scope) -> list:
    if not scope.scaled:
        return []
    replicas = [replicas_panel(), at_max_panel()]
    return replicas + [keda_errors(), paused(), scaler_active(), scaler_values()]  # rows of 24 columns


def replicas_panel():
    current, desired, maximum = (Query(q.hpa_series(metric), "{{service}} " + legend) for legend, metric in HPA_SERIES)
    queries = [current, desired, Query(MIN_REPLICAS, "{{service}} min"), maximum]
    description = (
        "Replicas of each scaled service as its HPA (KEDA's for Kafka scaling) sees them: current and desired against "
        "the min and max bounds. Min is scaling.minReplicas as the catalogue sets it: 0 for a service KEDA scales to "
        "zero (KEDA's HPA itself never goes below 1). Pick a few services to compare the lines."
    )
    return timeseries_panel("Replicas against bounds", description, "short", queries, span=FULL)


def at_max_panel():
    current, maximum = (q.hpa_series(metric) for _, metric in (HPA_SERIES[0], HPA_SERIES[2]))
    expr = f"{current} / on(namespace, service) {maximum}"
    description = "Current replicas as a share of maxReplicas, per service: at 100% (dashed red) it cannot scale further (ReplicasAtMax)."
    panel = timeseries_panel("Replicas against max", description, "percentunit", [Query(expr, "{{service}}")])
    style = common.GraphThresholdsStyleConfig().mode(common_model.GraphThresholdsStyleMode.DASHED)
    return panel.min(0).thresholds(thresholds("green", [(1, "red")])).thresholds_style(style)


def _keda(metric: str) -> str:
    return q.keda(metric)


def scaler_values():
    expr = f"max by ({KEDA_NAMESPACE}, scaledObject, metric) ({_keda('keda_scaler_metrics_value')})"
    description = "The value of each scaler's metric that KEDA hands the HPA (for Kafka: the lag it computed)."
    return timeseries_panel(
        "KEDA scaler metric values", description, "short", [Query(expr, "{{scaledObject}} {{metric}}")], span=FULL
    )


def scaler_active():
    expr = f"max by ({KEDA_NAMESPACE}, scaledObject, scaler) ({_keda('keda_scaler_active')})"
    description = (
        "Whether each scaler is active (1): above its activation threshold, so the target is scaled above zero."
    )
    return timeseries_panel(
        "KEDA scaler active", description, "bool_on_off", [Query(expr, "{{scaledObject}} {{scaler}}")]
    )


def keda_errors():
    per_object = f"sum by ({KEDA_NAMESPACE}, scaledObject) ({q.rate(_keda('keda_scaled_object_errors'))})"
    per_scaler = f"sum by ({KEDA_NAMESPACE}, scaledObject) ({q.rate(_keda('keda_scaler_errors'))})"
    queries = [Query(per_object, "{{scaledObject}} ScaledObject"), Query(per_scaler, "{{scaledObject}} scalers")]
    description = (
        "Errors per second KEDA met per ScaledObject (keda_scaled_object_errors) and reading its scalers "
        "(keda_scaler_errors, e.g. Kafka unreachable); KEDA starts both at 0, so a flat 0 is a healthy ScaledObject."
    )
    return timeseries_panel("KEDA errors", description, "cps", queries)


def paused():
    """KEDA 2.13 sets keda_scaled_object_paused (1/0) only when a ScaledObject is paused
    (annotation autoscaling.keda.sh/paused or paused-replicas) or unpaused: a ScaledObject
    never paused has no series and reads 0 through the recorded KEDA-scaled services."""
    expr = f"{q.keda_per_service(_keda('keda_scaled_object_paused'))} or on(namespace, service) {q.keda_scaled()} * 0"
    description = (
        "Whether KEDA has paused each Kafka-scaled service's ScaledObject (annotation autoscaling.keda.sh/paused or "
        "autoscaling.keda.sh/paused-replicas): while paused (1) KEDA neither scales it nor keeps its HPA."
    )
    return (
        timeseries_panel("KEDA ScaledObject paused", description, "bool_yes_no", [Query(expr, "{{service}}")])
        .min(0)
        .max(1)
    )
