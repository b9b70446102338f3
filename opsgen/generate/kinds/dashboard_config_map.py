"""A Grafana dashboard as a ConfigMap, for the kube-prometheus-stack Grafana sidecar."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.conventions import (
    DASHBOARD_UID_MAX,
    GRAFANA_DASHBOARD_LABEL,
    GRAFANA_DASHBOARD_VALUE,
    GRAFANA_FOLDER_ANNOTATION,
)
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct

MAX_BYTES = 1024 * 1024  # a ConfigMap's data may not exceed 1 MiB
_UID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class DashboardConfigMapProps:
    """meta: name, namespace (one the sidecar searches), labels; the construct adds
    ``grafana_dashboard: "1"``.
    uid: the dashboard's uid (at most 40 of [A-Za-z0-9_-]); the data key is ``<uid>.json``.
    dashboard: the dashboard JSON text; its ``uid`` must equal ``uid``; under 1 MiB.
    folder: Grafana folder, as the ``grafana_folder`` annotation (default: none,
    the sidecar's default folder)."""

    meta: ObjectMeta
    uid: str
    dashboard: str
    folder: str | None = None

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "a ConfigMap is namespaced")
        require(len(self.uid) <= DASHBOARD_UID_MAX and bool(_UID.match(self.uid)), f"bad dashboard uid {self.uid!r}")
        require(len(self.dashboard.encode("utf-8")) < MAX_BYTES, f"dashboard {self.uid} is 1 MiB or more")
        require(json.loads(self.dashboard).get("uid") == self.uid, f"the JSON of dashboard {self.uid} has another uid")


class DashboardConfigMap(Manifest):
    def __init__(self, scope: Construct, props: DashboardConfigMapProps):
        labels = {**props.meta.labels, GRAFANA_DASHBOARD_LABEL: GRAFANA_DASHBOARD_VALUE}
        annotations = dict(props.meta.annotations)
        if props.folder:
            annotations[GRAFANA_FOLDER_ANNOTATION] = props.folder
        meta = ObjectMeta(props.meta.name, props.meta.namespace, labels, annotations)
        body = {"data": {f"{props.uid}.json": props.dashboard}}
        super().__init__(scope, api_version="v1", kind="ConfigMap", meta=meta, body=body)
