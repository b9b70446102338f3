"""What the generator writes so that Argo CD, Prometheus and KEDA do the right thing on a
real cluster (issue 10): namespaces Argo CD never prunes or deletes, none for the stack's own
namespace, custom resources that sync before their CRDs, monitors that set ``service`` to the
catalogue name and select by ``metrics.selector``, no ReplicasAtMax where nothing scales."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opsgen import pipeline

CATALOGUE = """\
platform:
  name: demo
  prometheus: {namespace: monitoring}
  kafka: {bootstrapServers: kafka.kafka.svc:9092, auth: {secret: kafka-creds}}
services:
  - name: worker
    namespace: apps
    team: core
    metrics: {port: http, selector: {app.kubernetes.io/instance: worker-prod, component: consumer}}
    scaling: {minReplicas: 1, maxReplicas: 4, kafka: {topic: jobs, lagThreshold: 10}}
  - name: api
    namespace: apps
    team: core
    metrics: {port: http-metrics}
    scaling: {minReplicas: 3, maxReplicas: 3, cpu: {targetUtilization: 60}}
  - name: pods
    namespace: apps
    team: core
    metrics: {port: metrics, monitor: pod, selector: {app: pods}}
  - name: exporter
    namespace: monitoring
    team: platform
    metrics: {port: http}
    scaling: {maxReplicas: 2, kafka: {topic: jobs, lagThreshold: 10}}
"""
CUSTOM_GROUPS = ("monitoring.coreos.com/", "keda.sh/")


@pytest.fixture(scope="module")
def docs(tmp_path_factory) -> list[tuple[str, dict]]:
    path: Path = tmp_path_factory.mktemp("cluster") / "services.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    rendered = pipeline.synthesize(pipeline.load_valid(str(path)))
    return [(name, doc) for name, data in rendered.files.items() for doc in yaml.safe_load_all(data) if doc]


def find(docs, kind: str, name: str) -> dict:
    return next(doc for _, doc in docs if doc["kind"] == kind and doc["metadata"]["name"] == name)


def test_namespaces_are_never_pruned_or_deleted_by_argo_cd(docs):
    (apps,) = [doc for _, doc in docs if doc["kind"] == "Namespace"]
    assert apps["metadata"]["annotations"]["argocd.argoproj.io/sync-options"] == "Prune=false,Delete=false"


def test_the_prometheus_namespace_is_never_emitted(docs):
    """helmfile owns platform.prometheus.namespace, even when a service lives there;
    what else lives there (the TriggerAuthentication) is still written."""
    assert [doc["metadata"]["name"] for _, doc in docs if doc["kind"] == "Namespace"] == ["apps"]
    files = {name for name, doc in docs if doc["kind"] == "TriggerAuthentication"}
    assert files == {"apps/_namespace.yaml", "monitoring/_namespace.yaml"}


def test_every_custom_resource_skips_the_dry_run_on_its_own(docs):
    custom = [doc for _, doc in docs if doc["apiVersion"].startswith(CUSTOM_GROUPS)]
    assert {doc["kind"] for doc in custom} >= {
        "ServiceMonitor",
        "PodMonitor",
        "PrometheusRule",
        "ScaledObject",
        "TriggerAuthentication",
    }
    for doc in custom:
        options = doc["metadata"]["annotations"]["argocd.argoproj.io/sync-options"].split(",")
        assert "SkipDryRunOnMissingResource=true" in options, doc["metadata"]


def test_a_service_monitor_relabels_service_to_the_catalogue_name(docs):
    (endpoint,) = find(docs, "ServiceMonitor", "api")["spec"]["endpoints"]
    assert endpoint["relabelings"] == [{"action": "replace", "targetLabel": "service", "replacement": "api"}]
    (endpoint,) = find(docs, "PodMonitor", "pods")["spec"]["podMetricsEndpoints"]
    assert endpoint["relabelings"] == [{"action": "replace", "targetLabel": "service", "replacement": "pods"}]


def test_metrics_selector_replaces_the_default_selector(docs):
    worker = find(docs, "ServiceMonitor", "worker")["spec"]["selector"]
    assert worker == {"matchLabels": {"app.kubernetes.io/instance": "worker-prod", "component": "consumer"}}
    assert find(docs, "PodMonitor", "pods")["spec"]["selector"] == {"matchLabels": {"app": "pods"}}
    assert find(docs, "ServiceMonitor", "api")["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "api"}}


def alert_names(docs, rule: str) -> list[str]:
    groups = find(docs, "PrometheusRule", rule)["spec"]["groups"]
    return [r["alert"] for g in groups for r in g["rules"] if "alert" in r]


def test_no_replicas_at_max_alert_where_min_equals_max(docs):
    """minReplicas == maxReplicas: the service is always at its maximum; the alert would fire forever."""
    assert "ReplicasAtMax" not in alert_names(docs, "api-alerts")
    assert "ReplicasAtMax" in alert_names(docs, "worker-alerts")
