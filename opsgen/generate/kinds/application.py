"""Argo CD Application (argoproj.io/v1alpha1): one environment's folder of plain YAML, synced to its cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opsgen.conventions import APPLICATION_SYNC_OPTIONS, ARGOCD_API_VERSION
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct


@dataclass(frozen=True)
class Destination:
    """A cluster as Argo CD knows it: exactly one of server (its API URL) and name
    (as registered in Argo CD); namespace: for objects without one (default none)."""

    server: str | None = None
    name: str | None = None
    namespace: str | None = None

    def __post_init__(self) -> None:
        require((self.server is None) != (self.name is None), "a destination has exactly one of server and name")

    def to_json(self) -> dict[str, str]:
        fields = (("server", self.server), ("name", self.name), ("namespace", self.namespace))
        return {key: value for key, value in fields if value is not None}


@dataclass(frozen=True)
class Retry:
    """syncPolicy.retry: a failed sync (custom resources before their CRDs exist) is
    retried up to ``limit`` times (default 10), waiting ``duration`` (default 15s),
    multiplied by ``factor`` (default 2) after each failure, at most ``max_duration``
    (default 5m): about half an hour in all, long enough for the stack to install its CRDs."""

    limit: int = 10
    duration: str = "15s"
    factor: int = 2
    max_duration: str = "5m"

    def __post_init__(self) -> None:
        require(self.limit >= 1 and self.factor >= 1, "retry limit and factor must be >= 1")

    def to_json(self) -> dict[str, Any]:
        backoff = {"duration": self.duration, "factor": self.factor, "maxDuration": self.max_duration}
        return {"limit": self.limit, "backoff": backoff}


@dataclass(frozen=True)
class ApplicationProps:
    """meta: name, Argo CD's namespace, labels.
    project: the AppProject the Application belongs to.
    repo_url, target_revision, path: the source, a folder of plain YAML read recursively.
    destination: the cluster (and the namespace of objects without one).
    exclude: glob (relative to path) of files to leave out (default none).
    sync_options: default APPLICATION_SYNC_OPTIONS (conventions.py says why each).
    retry: default Retry().
    prune, self_heal: automated sync removes what left the folder and undoes live
    edits (default True both)."""

    meta: ObjectMeta
    project: str
    repo_url: str
    target_revision: str
    path: str
    destination: Destination
    exclude: str | None = None
    sync_options: tuple[str, ...] = APPLICATION_SYNC_OPTIONS
    retry: Retry = Retry()
    prune: bool = True
    self_heal: bool = True

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "an Application lives in Argo CD's namespace")
        require(
            bool(self.repo_url) and bool(self.target_revision) and bool(self.path),
            "the source needs repo, revision, path",
        )
        require(not self.path.startswith("/"), "path is relative to the repository")


class Application(Manifest):
    def __init__(self, scope: Construct, props: ApplicationProps):
        directory: dict[str, Any] = {"recurse": True}
        if props.exclude:
            directory["exclude"] = props.exclude
        source = {
            "repoURL": props.repo_url,
            "targetRevision": props.target_revision,
            "path": props.path,
            "directory": directory,
        }
        sync_policy = {
            "automated": {"prune": props.prune, "selfHeal": props.self_heal},
            "syncOptions": list(props.sync_options),
            "retry": props.retry.to_json(),
        }
        spec = {
            "project": props.project,
            "source": source,
            "destination": props.destination.to_json(),
            "syncPolicy": sync_policy,
        }
        super().__init__(
            scope, api_version=ARGOCD_API_VERSION, kind="Application", meta=props.meta, body={"spec": spec}
        )
