"""The strict validator must really refuse what a cluster would refuse: a
validator that accepts everything would make every golden test worthless."""

from __future__ import annotations

import copy

import pytest

from tests.support import manifests

META = {"name": "worker", "namespace": "apps", "labels": {"app.kubernetes.io/name": "worker", "team": "core"}}

SERVICE_MONITOR = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "ServiceMonitor",
    "metadata": META,
    "spec": {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "worker"}},
        "namespaceSelector": {"matchNames": ["apps"]},
        "endpoints": [{"port": "http", "path": "/metrics", "interval": "30s"}],
    },
}
POD_MONITOR = {
    "apiVersion": "monitoring.coreos.com/v1",
    "kind": "PodMonitor",
    "metadata": META,
    "spec": {
        "selector": {"matchLabels": {"app.kubernetes.io/name": "worker"}},
        "podMetricsEndpoints": [
            {"port": "http", "relabelings": [{"action": "replace", "targetLabel": "service", "replacement": "worker"}]}
        ],
    },
}
SCALED_OBJECT = {
    "apiVersion": "keda.sh/v1alpha1",
    "kind": "ScaledObject",
    "metadata": META,
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
        "minReplicaCount": 0,
        "maxReplicaCount": 4,
        "triggers": [
            {
                "type": "kafka",
                "metadata": {"topic": "jobs", "lagThreshold": "10"},
                "authenticationRef": {"name": "auth"},
            }
        ],
    },
}
TRIGGER_AUTH = {
    "apiVersion": "keda.sh/v1alpha1",
    "kind": "TriggerAuthentication",
    "metadata": META,
    "spec": {"secretTargetRef": [{"parameter": "sasl", "name": "kafka", "key": "sasl"}]},
}
HPA = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": META,
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
        "minReplicas": 1,
        "maxReplicas": 3,
        "metrics": [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
            }
        ],
    },
}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps", "labels": {"team": "core"}}}


@pytest.fixture
def crds():
    directory, reason = manifests.crd_dir()
    if directory is None:
        pytest.skip(reason)
    return directory


def edited(doc, change):
    out = copy.deepcopy(doc)
    change(out)
    return out


@pytest.mark.parametrize("doc", [SERVICE_MONITOR, POD_MONITOR, SCALED_OBJECT, TRIGGER_AUTH], ids=lambda d: d["kind"])
def test_valid_custom_resources_pass(crds, doc):
    assert manifests.problems(doc) == []


@pytest.mark.parametrize("doc", [HPA, NAMESPACE], ids=lambda d: d["kind"])
def test_valid_core_objects_pass(doc):
    assert manifests.problems(doc) == []


@pytest.mark.parametrize(
    "doc, expected",
    [
        (
            edited(SERVICE_MONITOR, lambda d: d["spec"]["endpoints"][0].update(intervall="30s")),
            "'intervall' was unexpected",
        ),
        (edited(SERVICE_MONITOR, lambda d: d["spec"].update(endpoint=[])), "'endpoint' was unexpected"),
        (edited(SERVICE_MONITOR, lambda d: d["spec"]["endpoints"][0].update(interval="30 seconds")), "does not match"),
        (
            edited(
                POD_MONITOR, lambda d: d["spec"]["podMetricsEndpoints"][0]["relabelings"][0].update(action="Rename")
            ),
            "is not one of",
        ),
        (edited(SCALED_OBJECT, lambda d: d["spec"].update(minReplicaCount="0")), "is not of type 'integer'"),
        (
            edited(SCALED_OBJECT, lambda d: d["spec"]["triggers"][0].update(authRef={"name": "x"})),
            "'authRef' was unexpected",
        ),
        (
            edited(SCALED_OBJECT, lambda d: d["spec"]["triggers"][0]["metadata"].update(lagThreshold=10)),
            "is not of type 'string'",
        ),
        (edited(TRIGGER_AUTH, lambda d: d["spec"]["secretTargetRef"][0].pop("key")), "'key' is a required property"),
        (edited(TRIGGER_AUTH, lambda d: d.update(spec=None)), "is not of type 'object'"),
        (edited(TRIGGER_AUTH, lambda d: d["metadata"].update(label={})), "'label' was unexpected"),
        (edited(TRIGGER_AUTH, lambda d: d.update(status2={})), "'status2' was unexpected"),
    ],
    ids=[
        "servicemonitor-intervall",
        "servicemonitor-endpoint",
        "servicemonitor-bad-duration",
        "podmonitor-bad-action",
        "scaledobject-string-count",
        "scaledobject-authRef",
        "scaledobject-int-metadata",
        "triggerauth-missing-key",
        "triggerauth-null-spec",
        "metadata-unknown-key",
        "unknown-top-level-key",
    ],
)
def test_custom_resource_typos_are_refused(crds, doc, expected):
    found = manifests.problems(doc)
    assert any(expected in p for p in found), found
    with pytest.raises(AssertionError, match="is not a valid Kubernetes object"):
        manifests.assert_valid(doc)


@pytest.mark.parametrize(
    "doc, expected",
    [
        (edited(HPA, lambda d: d["spec"].update(minReplica=1)), "'minReplica' was unexpected"),
        (edited(HPA, lambda d: d["spec"].pop("maxReplicas")), "'maxReplicas' is a required property"),
        (
            edited(HPA, lambda d: d["spec"]["metrics"][0]["resource"]["target"].update(averageUtilisation=60)),
            "was unexpected",
        ),
        (edited(NAMESPACE, lambda d: d.update(spec={"finalizer": []})), "'finalizer' was unexpected"),
        (edited(NAMESPACE, lambda d: d["metadata"]["labels"].update(team="two words")), "does not match"),
        (edited(NAMESPACE, lambda d: d["metadata"]["labels"].update(replicas=3)), "is not of type 'string'"),
        (edited(NAMESPACE, lambda d: d["metadata"].update(annotations={"a": 1})), "is not of type 'string'"),
    ],
    ids=[
        "hpa-minReplica",
        "hpa-no-max",
        "hpa-averageUtilisation",
        "namespace-spec",
        "label-value",
        "label-int",
        "annotation-int",
    ],
)
def test_core_typos_are_refused(doc, expected):
    found = manifests.problems(doc)
    assert any(expected in p for p in found), found


def test_unknown_kind_is_an_error(crds):
    doc = {"apiVersion": "apps/v1", "kind": "Deploymnet", "metadata": {"name": "x"}, "spec": {}}
    with pytest.raises(manifests.UnknownKind, match="Deploymnet"):
        manifests.problems(doc)


def test_secret_is_not_a_known_kind(crds):
    """Credentials never go into dist/: a Secret in the output fails validation."""
    doc = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "data": {}}
    with pytest.raises(manifests.UnknownKind):
        manifests.problems(doc)


def test_strict_openapi_mapping():
    schema = {
        "type": "object",
        "properties": {
            "port": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "bare": {"x-kubernetes-int-or-string": True},
            "maybe": {"type": "string", "nullable": True},
            "free": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {"a": {"type": "string"}},
            },
            "map": {"type": "object", "additionalProperties": {"type": "string"}},
            "nested": {"type": "array", "items": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        },
    }
    strict = manifests.strict_openapi(schema)
    import jsonschema

    v = jsonschema.Draft4Validator(strict)
    ok = {
        "port": 80,
        "bare": "http",
        "maybe": None,
        "free": {"a": "x", "b": 1},
        "map": {"k": "v"},
        "nested": [{"x": 1}],
    }
    assert list(v.iter_errors(ok)) == []
    assert not v.is_valid({"port": 1.5})
    assert not v.is_valid({"bare": [1]})
    assert not v.is_valid({"typo": 1})
    assert not v.is_valid({"nested": [{"y": 1}]})
    assert not v.is_valid({"map": {"k": 1}})
    assert "x-kubernetes-int-or-string" not in str(strict) and "nullable" not in str(strict)


def test_crd_validators_are_built_once(crds):
    first = manifests.crd_validators(str(crds))
    assert manifests.crd_validators(str(crds)) is first
    assert ("monitoring.coreos.com/v1", "ServiceMonitor") in first
    assert ("keda.sh/v1alpha1", "ScaledObject") in first


def test_crd_tests_skip_without_crd_dir(monkeypatch):
    monkeypatch.delenv(manifests.CRD_DIR_ENV, raising=False)
    directory, reason = manifests.crd_dir()
    assert directory is None and reason.startswith("OPSGEN_CRD_DIR not set: ")
    with pytest.raises(pytest.skip.Exception, match="OPSGEN_CRD_DIR not set"):
        manifests.problems(SERVICE_MONITOR)
    assert manifests.problems(NAMESPACE) == []  # core kinds need no CRDs
