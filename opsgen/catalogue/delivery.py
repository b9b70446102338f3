"""The Argo CD part of the model: platform.argocd (where Argo CD reads the output) and
environments.<env>.argocd (the cluster and revision of each environment), defaulted from
conventions.py; model.py builds the catalogue with them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opsgen import conventions as conv


@dataclass(frozen=True)
class ArgoCd:
    """platform.argocd: where Argo CD reads the output (defaults in conventions.py)."""

    repo_url: str
    project: str
    namespace: str = conv.ARGOCD_NAMESPACE
    path: str = conv.ARGOCD_PATH


@dataclass(frozen=True)
class Cluster:
    """environments.<env>.argocd.cluster: exactly one of server and name is set."""

    server: str | None = conv.IN_CLUSTER_SERVER
    name: str | None = None


@dataclass(frozen=True)
class Delivery:
    """environments.<env>.argocd: the cluster the environment is applied to and the revision it tracks."""

    cluster: Cluster = field(default_factory=Cluster)
    target_revision: str = conv.TARGET_REVISION


def argocd(platform: dict[str, Any]) -> ArgoCd | None:
    raw = platform.get("argocd") or {}
    if "repoURL" not in raw:
        return None
    return ArgoCd(
        repo_url=raw["repoURL"],
        project=raw.get("project", platform["name"]),
        namespace=raw.get("namespace", conv.ARGOCD_NAMESPACE),
        path=raw.get("path", conv.ARGOCD_PATH).strip("/"),
    )


def delivery(raw: dict[str, Any]) -> Delivery:
    cluster = raw.get("cluster")
    return Delivery(
        cluster=Cluster(cluster.get("server"), cluster.get("name")) if cluster else Cluster(),
        target_revision=raw.get("targetRevision", conv.TARGET_REVISION),
    )
