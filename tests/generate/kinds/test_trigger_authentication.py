from __future__ import annotations

import pytest

from opsgen.generate.kinds import ObjectMeta, TriggerAuthentication, TriggerAuthenticationProps
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("kafka-trigger-auth", "streams")


def refs(keys, secret="creds"):
    return [{"parameter": k, "name": secret, "key": k} for k in keys]


def test_sasl_only(chart):
    TriggerAuthentication(chart, TriggerAuthenticationProps(META, "creds"))
    assert one(chart) == {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "TriggerAuthentication",
        "metadata": {
            "name": "kafka-trigger-auth",
            "namespace": "streams",
            "annotations": {
                "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
                "argocd.argoproj.io/sync-wave": "0",  # after the Namespace (-1), before the ScaledObjects (1)
            },
        },
        "spec": {"secretTargetRef": refs(["sasl", "username", "password"])},
    }


def test_tls(chart):
    TriggerAuthentication(chart, TriggerAuthenticationProps(META, "creds", tls=True))
    assert one(chart)["spec"] == {"secretTargetRef": refs(["sasl", "username", "password", "tls", "ca"])}


def test_output_is_valid_and_holds_no_credentials(chart):
    TriggerAuthentication(chart, TriggerAuthenticationProps(META, "creds", tls=True))
    doc = one(chart)
    manifests.assert_valid(doc)
    assert all(set(ref) == {"parameter", "name", "key"} for ref in doc["spec"]["secretTargetRef"])


def test_bad_props():
    with pytest.raises(ValueError, match="namespaced"):
        TriggerAuthenticationProps(ObjectMeta("auth"), "creds")
    with pytest.raises(ValueError, match="secret"):
        TriggerAuthenticationProps(META, "")


def test_sync_wave_can_be_left_out(chart):
    TriggerAuthentication(chart, TriggerAuthenticationProps(META, "creds", sync_wave=None))
    assert "argocd.argoproj.io/sync-wave" not in one(chart)["metadata"]["annotations"]
