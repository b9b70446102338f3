from __future__ import annotations

import pytest

from opsgen.generate.kinds import Endpoint, ObjectMeta, PodMonitor, PodMonitorProps
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("ingest", "streams", {"release": "kps"})
RELABEL = {"action": "replace", "targetLabel": "service", "replacement": "ingest"}


def build(chart):
    PodMonitor(
        chart, PodMonitorProps(META, {"app.kubernetes.io/name": "ingest"}, Endpoint("metrics", relabelings=(RELABEL,)))
    )
    return one(chart)


def test_pod_monitor(chart):
    assert build(chart) == {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": {
            "name": "ingest",
            "namespace": "streams",
            "labels": {"release": "kps"},
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
        },
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "ingest"}},
            "namespaceSelector": {"matchNames": ["streams"]},
            "podMetricsEndpoints": [
                {"port": "metrics", "path": "/metrics", "interval": "30s", "relabelings": [RELABEL]}
            ],
        },
    }


def test_output_is_valid(chart):
    manifests.assert_valid(build(chart))


def test_bad_props():
    with pytest.raises(ValueError, match="namespaced"):
        PodMonitorProps(ObjectMeta("ingest"), {"a": "b"}, Endpoint("metrics"))
    with pytest.raises(ValueError, match="selector"):
        PodMonitorProps(META, {}, Endpoint("metrics"))
