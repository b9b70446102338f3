from __future__ import annotations

import pytest

from opsgen import conventions as conv
from opsgen.generate.kinds import Application, ApplicationProps, Destination, ObjectMeta, Retry
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("shop-prod", "argocd", {"team": "platform"})
SOURCE = dict(project="shop", repo_url="https://git.example.com/shop.git", target_revision="v1.2.0", path="dist/prod")


def props(**changes) -> ApplicationProps:
    return ApplicationProps(
        META, **{**SOURCE, "destination": Destination(name="prod-eu", namespace="monitoring"), **changes}
    )


def test_defaults(chart):
    Application(chart, props())
    assert one(chart) == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "shop-prod", "namespace": "argocd", "labels": {"team": "platform"}},
        "spec": {
            "project": "shop",
            "source": {
                "repoURL": "https://git.example.com/shop.git",
                "targetRevision": "v1.2.0",
                "path": "dist/prod",
                "directory": {"recurse": True},
            },
            "destination": {"name": "prod-eu", "namespace": "monitoring"},
            "syncPolicy": {
                "automated": {"prune": True, "selfHeal": True},
                "syncOptions": list(conv.APPLICATION_SYNC_OPTIONS),
                "retry": {"limit": 10, "backoff": {"duration": "15s", "factor": 2, "maxDuration": "5m"}},
            },
        },
    }


def test_exclude_retry_and_server(chart):
    Application(
        chart,
        props(
            destination=Destination(server="https://k8s.example.com"),
            exclude="_argocd/*",
            retry=Retry(3, "5s", 3, "1m"),
        ),
    )
    spec = one(chart)["spec"]
    assert spec["source"]["directory"] == {"recurse": True, "exclude": "_argocd/*"}
    assert spec["destination"] == {"server": "https://k8s.example.com"}
    assert spec["syncPolicy"]["retry"] == {"limit": 3, "backoff": {"duration": "5s", "factor": 3, "maxDuration": "1m"}}


def test_output_is_strictly_valid(chart):
    Application(chart, props(exclude="_argocd/*"))
    manifests.assert_valid(one(chart))


def test_bad_props():
    with pytest.raises(ValueError, match="exactly one of server and name"):
        Destination(server="https://a", name="a")
    with pytest.raises(ValueError, match="exactly one of server and name"):
        Destination()
    with pytest.raises(ValueError, match="namespace"):
        ApplicationProps(ObjectMeta("app"), **SOURCE, destination=Destination(name="c"))
    with pytest.raises(ValueError, match="relative"):
        props(path="/dist")
    with pytest.raises(ValueError, match="retry"):
        Retry(limit=0)
