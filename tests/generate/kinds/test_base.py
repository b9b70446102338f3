"""lib.base: what every construct gets; custom resources carry their own Argo CD sync option."""

from __future__ import annotations

import pytest

from opsgen.generate.kinds import Manifest, ObjectMeta
from opsgen.generate.kinds.base import with_sync_options
from tests.generate.kinds.conftest import one

SYNC_OPTIONS = "argocd.argoproj.io/sync-options"


@pytest.mark.parametrize(
    "api_version, kind",
    [
        ("monitoring.coreos.com/v1", "ServiceMonitor"),
        ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig"),
        ("keda.sh/v1alpha1", "ScaledObject"),
        ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ],
)
def test_custom_resources_skip_the_dry_run_when_their_crd_is_missing(chart, api_version, kind):
    """Argo CD honours SkipDryRunOnMissingResource on the Application only from 3.1; every
    2.x and 3.x honours it on the resource itself."""
    Manifest(chart, api_version=api_version, kind=kind, meta=ObjectMeta("x", "apps"), body={"spec": {}})
    assert one(chart)["metadata"]["annotations"] == {SYNC_OPTIONS: "SkipDryRunOnMissingResource=true"}


@pytest.mark.parametrize("api_version, kind", [("v1", "ConfigMap"), ("autoscaling/v2", "HorizontalPodAutoscaler")])
def test_built_in_kinds_need_no_sync_option(chart, api_version, kind):
    Manifest(chart, api_version=api_version, kind=kind, meta=ObjectMeta("x", "apps"), body={})
    assert "annotations" not in one(chart)["metadata"]


def test_sync_options_join_into_one_annotation():
    meta = ObjectMeta("x", annotations={SYNC_OPTIONS: "Prune=false", "other": "kept"})
    out = with_sync_options(meta, ("Prune=false", "Delete=false"))
    assert out.annotations == {SYNC_OPTIONS: "Prune=false,Delete=false", "other": "kept"}
    assert with_sync_options(ObjectMeta("x"), ()) == ObjectMeta("x")
