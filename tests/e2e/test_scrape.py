"""The fleet as Prometheus sees it: the labels prometheus-operator's
relabeling gives every target, and the exporters' own labels kept
(honor_labels) or renamed (``exported_*``) as in the stack."""

from __future__ import annotations

from tests.e2e.conftest import needs_servers

pytestmark = needs_servers
OPERATOR_LABELS = {"__name__", "namespace", "service", "job", "pod", "container", "endpoint", "instance"}


def test_every_target_carries_the_labels_the_operator_gives(prom, targets):
    up = {series["metric"]["instance"]: series["metric"] for series in prom.query("up")}
    assert len(up) == len(targets)
    for target in targets:
        labels = up[f"127.0.0.1:{target.port}"]
        assert set(labels) == OPERATOR_LABELS, labels
        assert labels == {"__name__": "up"} | target.labels()
        assert labels["pod"] == f"{labels['service']}-0", labels


def test_a_pod_monitor_target_gets_its_service_from_the_generated_relabeling(prom, targets):
    """PodMonitor: no Service to name the series; the monitor's relabeling sets it."""
    (pod,) = [t for t in targets if t.kind == "pod"]
    assert pod.relabelings, "the generated PodMonitor relabels service"
    (up,) = prom.query(f'up{{namespace="{pod.namespace}", service="{pod.service}"}}')
    assert up["metric"]["job"] == f"{pod.namespace}/{pod.service}"  # the operator's PodMonitor job


def test_service_series_select_by_namespace_and_service(prom):
    (tasks,) = prom.query('agent_tasks_total{namespace="agents", service="coding-agent"}')
    assert tasks["metric"]["outcome"] == "success" and tasks["metric"]["endpoint"] == "http"


def test_exporter_labels_are_kept_with_honor_labels_and_renamed_without(prom):
    (hpa,) = prom.query(
        'kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler="keda-hpa-coding-agent"}'
    )
    assert hpa["metric"]["namespace"] == "agents"  # kube-state-metrics: honor_labels
    (errors,) = prom.query('keda_scaler_errors{scaledObject="coding-agent"}')
    assert (errors["metric"]["namespace"], errors["metric"]["exported_namespace"]) == (
        "keda",
        "agents",
    )  # KEDA: not honoured
