from __future__ import annotations

import pytest

from opsgen.generate.kinds import Namespace, NamespaceProps, ObjectMeta
from tests.generate.kinds.conftest import one
from tests.support import manifests


def test_namespace(chart):
    Namespace(chart, NamespaceProps(ObjectMeta("apps", None, {"team": "core"}, {"note": "x"})))
    assert one(chart) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "apps",
            "labels": {"team": "core", "goldilocks.fairwinds.com/enabled": "true"},
            "annotations": {
                "note": "x",
                "argocd.argoproj.io/sync-wave": "-1",
                "argocd.argoproj.io/sync-options": "Prune=false,Delete=false",
            },
        },
    }


def test_argo_cd_never_prunes_or_deletes_a_namespace(chart):
    """The namespace holds workloads opsgen does not own: with prune and the resources
    finalizer, Argo CD would delete it (and them) when its last service leaves the catalogue
    or the Application is deleted. Options it already has are kept, in one annotation."""
    meta = ObjectMeta("apps", None, {}, {"argocd.argoproj.io/sync-options": "ServerSideApply=true, Prune=false"})
    Namespace(chart, NamespaceProps(meta))
    annotations = one(chart)["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/sync-options"] == "ServerSideApply=true,Prune=false,Delete=false"


def test_namespace_without_goldilocks_or_wave(chart):
    Namespace(chart, NamespaceProps(ObjectMeta("apps"), goldilocks=False, sync_wave=None, sync_options=()))
    assert one(chart) == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}


def test_output_is_valid(chart):
    Namespace(chart, NamespaceProps(ObjectMeta("apps", None, {"team": "core"})))
    manifests.assert_valid(one(chart))


def test_bad_props():
    with pytest.raises(ValueError, match="cluster-scoped"):
        NamespaceProps(ObjectMeta("apps", "default"))
    with pytest.raises(ValueError, match="DNS-1123"):
        NamespaceProps(ObjectMeta("Apps"))
    with pytest.raises(ValueError, match="DNS-1123"):
        ObjectMeta("ok", "not_a_label")
