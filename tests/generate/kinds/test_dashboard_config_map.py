"""DashboardConfigMap: the ConfigMap the Grafana sidecar loads, and its props checks."""

from __future__ import annotations

import json

import pytest
from cdk8s import App, Chart

from opsgen.generate.kinds import DashboardConfigMap, DashboardConfigMapProps, ObjectMeta
from opsgen.generate.kinds.dashboard_config_map import MAX_BYTES
from tests.support.chart import synth as lib_synth

UID = "demo-kafka-lag"
JSON = json.dumps({"uid": UID, "title": "Kafka Lag"}, sort_keys=True, indent=2)


def meta(namespace: str | None = "monitoring") -> ObjectMeta:
    return ObjectMeta(f"dashboard-{UID}", namespace, {"team": "platform"})


def synth(props: DashboardConfigMapProps) -> dict:
    chart = Chart(App(), "test", disable_resource_name_hashes=True)
    DashboardConfigMap(chart, props)
    (doc,) = lib_synth(chart)
    return doc


def test_configmap_for_the_sidecar():
    doc = synth(DashboardConfigMapProps(meta(), UID, JSON, "Platform"))
    assert doc["apiVersion"] == "v1" and doc["kind"] == "ConfigMap"
    assert doc["metadata"]["namespace"] == "monitoring"
    assert doc["metadata"]["labels"] == {"team": "platform", "grafana_dashboard": "1"}
    assert doc["metadata"]["annotations"] == {"grafana_folder": "Platform"}
    assert doc["data"] == {f"{UID}.json": JSON}
    assert "immutable" not in doc


def test_no_folder_no_annotation():
    doc = synth(DashboardConfigMapProps(meta(), UID, JSON))
    assert "annotations" not in doc["metadata"]


@pytest.mark.parametrize(
    "make",
    [
        lambda: DashboardConfigMapProps(meta(None), UID, JSON),
        lambda: DashboardConfigMapProps(meta(), "x" * 41, JSON.replace(UID, "x" * 41)),
        lambda: DashboardConfigMapProps(meta(), "bad uid", JSON.replace(UID, "bad uid")),
        lambda: DashboardConfigMapProps(meta(), "other", JSON),
        lambda: DashboardConfigMapProps(meta(), UID, json.dumps({"uid": UID, "pad": "x" * MAX_BYTES})),
        lambda: DashboardConfigMapProps(meta(), UID, "not json"),
    ],
    ids=["cluster-scoped", "uid-too-long", "uid-chars", "uid-mismatch", "too-big", "not-json"],
)
def test_props_checks(make):
    with pytest.raises(ValueError):
        make()
