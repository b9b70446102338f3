"""autoscaling/v2 HorizontalPodAutoscaler on CPU, for a Deployment created elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.generate.kinds.base import Manifest, ObjectMeta, require

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct


@dataclass(frozen=True)
class HpaProps:
    """meta: name (also the target Deployment's name unless target is set), namespace, labels.
    min_replicas: >= 1 (an HPA cannot scale to zero).
    max_replicas: >= min_replicas.
    cpu_target: average CPU utilization in percent of requests, 1..100.
    target: the Deployment to scale (default: meta.name)."""

    meta: ObjectMeta
    min_replicas: int
    max_replicas: int
    cpu_target: int
    target: str | None = None

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "an HPA is namespaced")
        require(self.min_replicas >= 1, "an HPA cannot go below 1 replica")
        require(self.max_replicas >= self.min_replicas, "max_replicas must be >= min_replicas")
        require(1 <= self.cpu_target <= 100, "cpu_target must be a percentage")


class HorizontalPodAutoscaler(Manifest):
    def __init__(self, scope: Construct, props: HpaProps):
        spec = {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": props.target or props.meta.name},
            "minReplicas": props.min_replicas,
            "maxReplicas": props.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": props.cpu_target},
                    },
                }
            ],
        }
        super().__init__(
            scope, api_version="autoscaling/v2", kind="HorizontalPodAutoscaler", meta=props.meta, body={"spec": spec}
        )
