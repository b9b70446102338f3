"""KEDA ScaledObject (keda.sh/v1alpha1) on Kafka consumer lag, optionally with a cpu trigger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsgen.conventions import AUTH_REFERENCE_SYNC_WAVE
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require, with_sync_wave

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct


@dataclass(frozen=True)
class KafkaTrigger:
    """bootstrap_servers, topic, consumer_group: where the lag is read.
    lag_threshold: target lag per replica (>= 1).
    activation_lag_threshold: lag that activates scaling from zero (default: KEDA's 0).
    authentication: name of a TriggerAuthentication in the same namespace (default none)."""

    bootstrap_servers: str
    topic: str
    consumer_group: str
    lag_threshold: int
    activation_lag_threshold: int | None = None
    authentication: str | None = None

    def __post_init__(self) -> None:
        require(self.lag_threshold >= 1, "lag_threshold must be >= 1")

    def to_json(self) -> dict[str, Any]:
        metadata = {  # KEDA wants every metadata value as a string
            "bootstrapServers": self.bootstrap_servers,
            "consumerGroup": self.consumer_group,
            "topic": self.topic,
            "lagThreshold": str(self.lag_threshold),
        }
        if self.activation_lag_threshold is not None:
            metadata["activationLagThreshold"] = str(self.activation_lag_threshold)
        trigger: dict[str, Any] = {"type": "kafka", "metadata": metadata}
        if self.authentication:
            trigger["authenticationRef"] = {"name": self.authentication}
        return trigger


@dataclass(frozen=True)
class ScaledObjectProps:
    """meta: name (also the target Deployment's name unless target is set), namespace, labels.
    min_replicas: >= 0 (0 lets KEDA scale to zero on Kafka).
    max_replicas: >= max(min_replicas, 1).
    kafka: the Kafka trigger.
    cpu_target: also scale on CPU utilization (percent, 1..100; default: no cpu trigger).
    polling_interval, cooldown_period: seconds (KEDA defaults 30 and 300).
    target: the Deployment to scale (default: meta.name).
    With a Kafka authentication, the object is in the Argo CD sync wave after its
    TriggerAuthentication's (conventions.AUTH_REFERENCE_SYNC_WAVE)."""

    meta: ObjectMeta
    min_replicas: int
    max_replicas: int
    kafka: KafkaTrigger
    cpu_target: int | None = None
    polling_interval: int = 30
    cooldown_period: int = 300
    target: str | None = None

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "a ScaledObject is namespaced")
        require(self.min_replicas >= 0, "min_replicas must be >= 0")
        require(self.max_replicas >= max(self.min_replicas, 1), "max_replicas must be >= min_replicas and >= 1")
        require(self.cpu_target is None or 1 <= self.cpu_target <= 100, "cpu_target must be a percentage")
        require(self.polling_interval >= 1 and self.cooldown_period >= 0, "intervals must be positive")


class ScaledObject(Manifest):
    def __init__(self, scope: Construct, props: ScaledObjectProps):
        triggers = [props.kafka.to_json()]
        if props.cpu_target is not None:
            triggers.append({"type": "cpu", "metricType": "Utilization", "metadata": {"value": str(props.cpu_target)}})
        spec = {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": props.target or props.meta.name},
            "minReplicaCount": props.min_replicas,
            "maxReplicaCount": props.max_replicas,
            "pollingInterval": props.polling_interval,
            "cooldownPeriod": props.cooldown_period,
            "triggers": triggers,
        }
        meta = with_sync_wave(props.meta, AUTH_REFERENCE_SYNC_WAVE if props.kafka.authentication else None)
        super().__init__(scope, api_version="keda.sh/v1alpha1", kind="ScaledObject", meta=meta, body={"spec": spec})
