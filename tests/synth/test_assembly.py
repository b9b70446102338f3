"""JsonApiObject: one jsii call per object, and cdk8s's own ApiObject afterwards."""

from __future__ import annotations

import math

import jsii
import pytest
from cdk8s import App, Chart, JsonPatch

from opsgen.synth.assembly import json_api_object

MANIFEST = {
    "apiVersion": "example.com/v1",
    "kind": "Thing",
    "metadata": {"name": "thing", "namespace": "ns", "labels": {"b": "2", "a": "1"}},
    "spec": {"zeta": 1, "alpha": {"y": [3, 1, 2], "x": "é ✓"}, "empty": {}, "list": []},
}


class Calls:
    """Counts the requests this process sends to its jsii kernel."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        provider = jsii.kernel.provider
        for name in ("create", "invoke", "sinvoke", "get", "set", "sget", "sset"):
            monkeypatch.setattr(provider, name, self._counting(getattr(provider, name)))

    def _counting(self, method):
        def counted(*args, **kwargs):
            self.count += 1
            return method(*args, **kwargs)

        return counted


def test_the_manifest_comes_back_from_cdk8s_in_its_own_key_order(chart) -> None:
    json_api_object()(chart, "thing", MANIFEST)
    (doc,) = chart.to_json()
    assert doc == MANIFEST
    assert list(doc) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(doc["spec"]) == ["zeta", "alpha", "empty", "list"]  # not sorted
    assert list(doc["metadata"]["labels"]) == ["a", "b"]  # cdk8s sorts metadata


def test_one_jsii_call_per_object(chart, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    for i in range(20):
        json_api_object()(chart, f"thing-{i}", {**MANIFEST, "metadata": {"name": f"thing-{i}"}})
    assert calls.count == 20


def test_it_is_a_cdk8s_api_object(chart) -> None:
    """Chart labels and namespace, JSON patches and the construct id work as for any ApiObject."""
    labelled = Chart(App(), "labelled", labels={"team": "x"}, namespace="default-ns", disable_resource_name_hashes=True)
    thing = json_api_object()(
        labelled, "thing", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    )
    thing.add_json_patch(JsonPatch.add("/data/extra", "patched"))
    (doc,) = labelled.to_json()
    assert doc["metadata"] == {"labels": {"team": "x"}, "name": "c", "namespace": "default-ns"}
    assert doc["data"] == {"k": "v", "extra": "patched"}
    assert (thing.node.id, thing.name, thing.kind, thing.api_version) == ("thing", "c", "ConfigMap", "v1")


def test_values_json_cannot_carry_are_refused_in_python(chart) -> None:
    with pytest.raises(ValueError):
        json_api_object()(chart, "nan", {**MANIFEST, "spec": {"x": math.nan}})
    with pytest.raises(TypeError):
        json_api_object()(chart, "set", {**MANIFEST, "spec": {"x": {1, 2}}})
