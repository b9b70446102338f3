from __future__ import annotations

import pytest

from opsgen.generate.kinds import KafkaTrigger, ObjectMeta, ScaledObject, ScaledObjectProps
from tests.generate.kinds.conftest import one
from tests.support import manifests

META = ObjectMeta("worker", "apps", {"team": "core"})
KAFKA = KafkaTrigger("kafka:9092", "jobs", "worker", 10)


def test_kafka_only(chart):
    ScaledObject(chart, ScaledObjectProps(META, 0, 4, KAFKA))
    assert one(chart) == {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {
            "name": "worker",
            "namespace": "apps",
            "labels": {"team": "core"},
            "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "worker"},
            "minReplicaCount": 0,
            "maxReplicaCount": 4,
            "pollingInterval": 30,
            "cooldownPeriod": 300,
            "triggers": [
                {
                    "type": "kafka",
                    "metadata": {
                        "bootstrapServers": "kafka:9092",
                        "consumerGroup": "worker",
                        "topic": "jobs",
                        "lagThreshold": "10",
                    },
                }
            ],
        },
    }


def test_kafka_with_auth_activation_and_cpu(chart):
    trigger = KafkaTrigger(
        "kafka:9092", "jobs", "group", 10, activation_lag_threshold=0, authentication="kafka-trigger-auth"
    )
    ScaledObject(
        chart,
        ScaledObjectProps(META, 1, 4, trigger, cpu_target=80, polling_interval=15, cooldown_period=0, target="w2"),
    )
    spec = one(chart)["spec"]
    kafka, cpu = spec["triggers"]
    assert kafka["metadata"]["activationLagThreshold"] == "0"  # strings, as KEDA wants
    assert kafka["authenticationRef"] == {"name": "kafka-trigger-auth"}
    assert cpu == {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "80"}}
    assert (spec["pollingInterval"], spec["cooldownPeriod"], spec["scaleTargetRef"]["name"]) == (15, 0, "w2")


def test_output_is_valid(chart):
    trigger = KafkaTrigger("kafka:9092", "jobs", "group", 10, activation_lag_threshold=5, authentication="auth")
    ScaledObject(chart, ScaledObjectProps(META, 0, 4, trigger, cpu_target=80))
    manifests.assert_valid(one(chart))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: KafkaTrigger("k:9092", "t", "g", 0), "lag_threshold"),
        (lambda: ScaledObjectProps(META, -1, 4, KAFKA), "min_replicas"),
        (lambda: ScaledObjectProps(META, 5, 4, KAFKA), "max_replicas"),
        (lambda: ScaledObjectProps(META, 0, 0, KAFKA), "max_replicas"),
        (lambda: ScaledObjectProps(META, 1, 4, KAFKA, cpu_target=0), "percentage"),
        (lambda: ScaledObjectProps(META, 1, 4, KAFKA, polling_interval=0), "positive"),
        (lambda: ScaledObjectProps(ObjectMeta("worker"), 1, 4, KAFKA), "namespaced"),
    ],
)
def test_bad_props(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_with_authentication_it_syncs_after_its_trigger_authentication(chart):
    auth = KafkaTrigger("kafka:9092", "jobs", "worker", 10, authentication="kafka-trigger-auth")
    ScaledObject(chart, ScaledObjectProps(META, 0, 4, auth))
    assert one(chart)["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "1"
