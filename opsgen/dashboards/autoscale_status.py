"""Autoscale Status: is each scaled service where its autoscaler wants it, within bounds,
and is KEDA reading its triggers?

Replicas come from kube-state-metrics for the HPA that scales the service (KEDA's
``keda-hpa-<name>`` for Kafka scaling, else the service's own); KEDA 2.13's
operator metrics carry the ScaledObject (named after the service). The KEDA
chart's ServiceMonitor cannot honour labels, so Prometheus keeps the operator's
own namespace in ``namespace`` and the ScaledObject's in ``exported_namespace``.
"""
from __future__ import annotations

from ..model import Service
from . import queries as q
from .defaults import FULL, Query, Scope, timeseries_panel

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
    keda = scope.kafka_scaled
    replicas = [replicas_panel(s) for s in scope.scaled]
    return replicas + ([scaler_values(keda), scaler_active(keda), scaler_errors(keda)] if keda else [])


def replicas_panel(service: Service):
    queries = [Query(f"max({q.selector(metric, *q.hpa(service))})", legend) for legend, metric in HPA_SERIES]
    kind = "KEDA" if service.scaling.kafka else "HPA"
    description = f"Replicas of {service.name} as its {kind} sees them: current and desired against the min and max bounds."
    return timeseries_panel(f"{service.name} replicas", description, "short", queries, span=8)


def _keda(metric: str, keda: tuple[Service, ...]) -> str:
    matchers = (f'{KEDA_NAMESPACE}=~"$namespace"', 'scaledObject=~"$service"', q.one_of("scaledObject", [s.name for s in keda]))
    return q.selector(metric, *matchers)


def scaler_values(keda: tuple[Service, ...]):
    expr = f"max by ({KEDA_NAMESPACE}, scaledObject, metric) ({_keda('keda_scaler_metrics_value', keda)})"
    description = "The value of each scaler's metric that KEDA hands the HPA (for Kafka: the lag it computed)."
    return timeseries_panel("KEDA scaler metric values", description, "short", [Query(expr, "{{scaledObject}} {{metric}}")], span=FULL)


def scaler_active(keda: tuple[Service, ...]):
    expr = f"max by ({KEDA_NAMESPACE}, scaledObject, scaler) ({_keda('keda_scaler_active', keda)})"
    description = "Whether each scaler is active (1): above its activation threshold, so the target is scaled above zero."
    return timeseries_panel("KEDA scaler active", description, "bool_on_off", [Query(expr, "{{scaledObject}} {{scaler}}")])


def scaler_errors(keda: tuple[Service, ...]):
    expr = f"sum by ({KEDA_NAMESPACE}, scaledObject) ({q.rate(_keda('keda_scaler_errors', keda))})"
    description = "Errors per second KEDA met reading each ScaledObject's scalers (e.g. Kafka unreachable)."
    return timeseries_panel("KEDA scaler errors", description, "cps", [Query(expr, "{{scaledObject}}")])
