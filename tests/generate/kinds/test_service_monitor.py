from __future__ import annotations

import pytest

from opsgen.generate.kinds import Endpoint, ObjectMeta, ServiceMonitor, ServiceMonitorProps
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("worker", "apps", {"release": "prometheus"})


def build(chart, **endpoint):
    ServiceMonitor(chart, ServiceMonitorProps(META, {"app.kubernetes.io/name": "worker"}, Endpoint("http", **endpoint)))
    return one(chart)


def test_service_monitor(chart):
    assert build(chart, interval="15s", scrape_timeout="10s") == {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": {
            "name": "worker",
            "namespace": "apps",
            "labels": {"release": "prometheus"},
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
        },
        "spec": {
            "selector": {"matchLabels": {"app.kubernetes.io/name": "worker"}},
            "namespaceSelector": {"matchNames": ["apps"]},
            "endpoints": [{"port": "http", "path": "/metrics", "interval": "15s", "scrapeTimeout": "10s"}],
        },
    }


def test_defaults(chart):
    assert build(chart)["spec"]["endpoints"] == [{"port": "http", "path": "/metrics", "interval": "30s"}]


def test_namespace_selector(chart):
    ServiceMonitor(chart, ServiceMonitorProps(META, {"a": "b"}, Endpoint("http"), namespace_selector=("x", "y")))
    assert one(chart)["spec"]["namespaceSelector"] == {"matchNames": ["x", "y"]}


def test_output_is_valid(chart):
    manifests.assert_valid(build(chart, path="/stats", interval="1m", scrape_timeout="1m"))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Endpoint(""), "port"),
        (lambda: Endpoint("http", path="metrics"), "must start with '/'"),
        (lambda: Endpoint("http", interval="30 seconds"), "not a duration"),
        (lambda: Endpoint("http", interval="10s", scrape_timeout="11s"), "must not exceed"),
        (lambda: ServiceMonitorProps(ObjectMeta("worker"), {"a": "b"}, Endpoint("http")), "namespaced"),
        (lambda: ServiceMonitorProps(META, {}, Endpoint("http")), "selector"),
    ],
)
def test_bad_props(make, message):
    with pytest.raises(ValueError, match=message):
        make()
