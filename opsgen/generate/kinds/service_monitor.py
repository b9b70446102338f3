"""prometheus-operator ServiceMonitor (monitoring.coreos.com/v1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opsgen import durations
from opsgen.catalogue.defaults import default
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct


@dataclass(frozen=True)
class Endpoint:
    """One scrape endpoint.

    port: the port *name* (Service port for ServiceMonitors, container port for PodMonitors).
    path: HTTP path (default: the catalogue's, "/metrics").
    interval: Prometheus duration (default: the catalogue's, "30s").
    scrape_timeout: must not exceed interval (default: Prometheus' own).
    relabelings: extra relabel configs (default none).
    """

    port: str
    path: str = default("services", "metrics", "path")
    interval: str = default("services", "metrics", "interval")
    scrape_timeout: str | None = None
    relabelings: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        require(bool(self.port), "endpoint port must be set")
        require(self.path.startswith("/"), f"endpoint path {self.path!r} must start with '/'")
        require(durations.is_duration(self.interval), f"interval {self.interval!r} is not a duration")
        if self.scrape_timeout is not None:
            require(
                durations.seconds(self.scrape_timeout) <= durations.seconds(self.interval),
                "scrape_timeout must not exceed interval",
            )

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"port": self.port, "path": self.path, "interval": self.interval}
        if self.scrape_timeout:
            out["scrapeTimeout"] = self.scrape_timeout
        if self.relabelings:
            out["relabelings"] = [dict(r) for r in self.relabelings]
        return out


@dataclass(frozen=True)
class ServiceMonitorProps:
    """meta: name, namespace and labels (include the release label the Prometheus selects on).
    selector: labels of the Service to scrape.
    endpoint: the scrape endpoint."""

    meta: ObjectMeta
    selector: Mapping[str, str]
    endpoint: Endpoint
    namespace_selector: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "a ServiceMonitor is namespaced")
        require(bool(self.selector), "a ServiceMonitor needs a non-empty selector")


class ServiceMonitor(Manifest):
    def __init__(self, scope: Construct, props: ServiceMonitorProps):
        spec = {
            "selector": {"matchLabels": dict(props.selector)},
            "namespaceSelector": {"matchNames": list(props.namespace_selector or (props.meta.namespace,))},
            "endpoints": [props.endpoint.to_json()],
        }
        super().__init__(
            scope, api_version="monitoring.coreos.com/v1", kind="ServiceMonitor", meta=props.meta, body={"spec": spec}
        )
