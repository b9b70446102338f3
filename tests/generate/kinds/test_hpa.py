from __future__ import annotations

import pytest

from opsgen.generate.kinds import HorizontalPodAutoscaler, HpaProps, ObjectMeta
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("api", "apps", {"team": "core"})


def test_hpa(chart):
    HorizontalPodAutoscaler(chart, HpaProps(META, 2, 6, 60))
    assert one(chart) == {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "api", "namespace": "apps", "labels": {"team": "core"}},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
            "minReplicas": 2,
            "maxReplicas": 6,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}},
                }
            ],
        },
    }


def test_target(chart):
    HorizontalPodAutoscaler(chart, HpaProps(META, 1, 1, 100, target="api-v2"))
    assert one(chart)["spec"]["scaleTargetRef"]["name"] == "api-v2"


def test_output_is_valid(chart):
    HorizontalPodAutoscaler(chart, HpaProps(META, 1, 3, 50))
    manifests.assert_valid(one(chart))


@pytest.mark.parametrize(
    "args, message",
    [
        ((META, 0, 3, 50), "below 1"),
        ((META, 3, 2, 50), "max_replicas"),
        ((META, 1, 3, 0), "percentage"),
        ((META, 1, 3, 101), "percentage"),
        ((ObjectMeta("api"), 1, 3, 50), "namespaced"),
    ],
)
def test_bad_props(args, message):
    with pytest.raises(ValueError, match=message):
        HpaProps(*args)
