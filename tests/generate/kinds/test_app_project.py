from __future__ import annotations

import pytest

from opsgen.generate.kinds import AppProject, AppProjectProps, Destination, ObjectMeta
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("shop", "argocd")
DESTINATIONS = (
    Destination(name="prod-eu", namespace="apps"),
    Destination(server="https://dev.example.com", namespace="apps"),
)


def test_whitelists_are_always_written(chart):
    AppProject(chart, AppProjectProps(META, ("https://git.example.com/shop.git",), DESTINATIONS))
    assert one(chart) == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "shop", "namespace": "argocd"},
        "spec": {
            "sourceRepos": ["https://git.example.com/shop.git"],
            "destinations": [
                {"name": "prod-eu", "namespace": "apps"},
                {"server": "https://dev.example.com", "namespace": "apps"},
            ],
            # empty, not absent: without namespaceResourceWhitelist Argo CD allows every namespaced kind
            "clusterResourceWhitelist": [],
            "namespaceResourceWhitelist": [],
        },
    }


def test_kinds_and_description(chart):
    props = AppProjectProps(
        META, ("r",), DESTINATIONS, (("", "Namespace"),), (("keda.sh", "ScaledObject"),), "what opsgen writes"
    )
    AppProject(chart, props)
    doc = one(chart)
    manifests.assert_valid(doc)
    assert doc["spec"]["description"] == "what opsgen writes"
    assert doc["spec"]["clusterResourceWhitelist"] == [{"group": "", "kind": "Namespace"}]
    assert doc["spec"]["namespaceResourceWhitelist"] == [{"group": "keda.sh", "kind": "ScaledObject"}]


def test_bad_props():
    with pytest.raises(ValueError, match="namespace"):
        AppProjectProps(ObjectMeta("shop"), ("r",), DESTINATIONS)
    with pytest.raises(ValueError, match="source repository and a destination"):
        AppProjectProps(META, (), DESTINATIONS)
    with pytest.raises(ValueError, match="names its namespace"):
        AppProjectProps(META, ("r",), (Destination(name="prod"),))
