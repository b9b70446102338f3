"""Argo CD AppProject (argoproj.io/v1alpha1): what the Applications of a project may deploy, and where."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.conventions import ARGOCD_API_VERSION
from opsgen.generate.kinds.application import Destination
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct

GroupKind = tuple[str, str]  # (API group, "" for the core group; kind)


@dataclass(frozen=True)
class AppProjectProps:
    """meta: name (the project), Argo CD's namespace, labels.
    source_repos: the repositories the Applications may read (at least one).
    destinations: every (cluster, namespace) they may write to (at least one).
    cluster_kinds: the cluster-scoped kinds they may manage (default none).
    namespaced_kinds: the namespaced kinds they may manage (default none). Both lists
    are always written: without namespaceResourceWhitelist Argo CD allows every namespaced kind.
    description: shown by Argo CD (default none)."""

    meta: ObjectMeta
    source_repos: tuple[str, ...]
    destinations: tuple[Destination, ...]
    cluster_kinds: tuple[GroupKind, ...] = ()
    namespaced_kinds: tuple[GroupKind, ...] = ()
    description: str | None = None

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "an AppProject lives in Argo CD's namespace")
        require(
            bool(self.source_repos) and bool(self.destinations), "a project needs a source repository and a destination"
        )
        require(all(d.namespace for d in self.destinations), "every destination names its namespace")


class AppProject(Manifest):
    def __init__(self, scope: Construct, props: AppProjectProps):
        spec: dict = {}
        if props.description:
            spec["description"] = props.description
        spec["sourceRepos"] = list(props.source_repos)
        spec["destinations"] = [d.to_json() for d in props.destinations]
        spec["clusterResourceWhitelist"] = _kinds(props.cluster_kinds)
        spec["namespaceResourceWhitelist"] = _kinds(props.namespaced_kinds)
        super().__init__(scope, api_version=ARGOCD_API_VERSION, kind="AppProject", meta=props.meta, body={"spec": spec})


def _kinds(kinds: tuple[GroupKind, ...]) -> list[dict[str, str]]:
    return [{"group": group, "kind": kind} for group, kind in kinds]
