"""prometheus-operator PodMonitor (monitoring.coreos.com/v1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.generate.kinds.base import Manifest, ObjectMeta, require
from opsgen.generate.kinds.service_monitor import Endpoint

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct


@dataclass(frozen=True)
class PodMonitorProps:
    """meta: name, namespace and labels (include the release label).
    selector: labels of the Pods to scrape.
    endpoint: the scrape endpoint; port is the container port name."""

    meta: ObjectMeta
    selector: Mapping[str, str]
    endpoint: Endpoint

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "a PodMonitor is namespaced")
        require(bool(self.selector), "a PodMonitor needs a non-empty selector")


class PodMonitor(Manifest):
    def __init__(self, scope: Construct, props: PodMonitorProps):
        endpoint = props.endpoint.to_json()
        spec = {
            "selector": {"matchLabels": dict(props.selector)},
            "namespaceSelector": {"matchNames": [props.meta.namespace]},
            "podMetricsEndpoints": [endpoint],
        }
        super().__init__(
            scope, api_version="monitoring.coreos.com/v1", kind="PodMonitor", meta=props.meta, body={"spec": spec}
        )
