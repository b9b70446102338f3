from __future__ import annotations

import pytest

from opsgen.build.lib import Namespace, NamespaceProps, ObjectMeta
from tests.build.lib.conftest import one
from tests.support import manifests


def test_namespace(chart):
    Namespace(chart, NamespaceProps(ObjectMeta("apps", None, {"team": "core"}, {"note": "x"})))
    assert one(chart) == {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "apps",
            "labels": {"team": "core", "goldilocks.fairwinds.com/enabled": "true"},
            "annotations": {"note": "x", "argocd.argoproj.io/sync-wave": "-1"},
        },
    }


def test_namespace_without_goldilocks_or_wave(chart):
    Namespace(chart, NamespaceProps(ObjectMeta("apps"), goldilocks=False, sync_wave=None))
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
