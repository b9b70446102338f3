"""What Argo CD would refuse to sync, read from a written output directory.

Mirrors Argo CD 2.14's checks (pkg/apis/application/v1alpha1/app_project.go:
IsGroupKindPermitted, isDestinationMatched; util/argo: ValidatePermissions) for
the patterns opsgen writes, which are exact names (no globs, no deny patterns):
- the Application's source repository is among the project's sourceRepos;
- its own destination (cluster and namespace) is an allowed destination;
- every object it syncs is of a whitelisted kind: cluster-scoped ones in
  clusterResourceWhitelist, namespaced ones in namespaceResourceWhitelist (which,
  when absent, allows every kind);
- every namespaced object's namespace is an allowed destination on its cluster.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

from opsgen import conventions as conv
from tests.support import manifests


def argocd_objects(out: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The AppProject and the Applications opsgen wrote under ``out``."""
    docs = [d for p in sorted((out / conv.ARGOCD_DIR).glob("*.yaml")) for d in manifests.load_documents(p)]
    (project,) = [d for d in docs if d["kind"] == "AppProject"]
    return project, [d for d in docs if d["kind"] == "Application"]


def synced(out: Path, app: dict[str, Any], output_path: str) -> list[tuple[str, dict[str, Any]]]:
    """(file, object) of everything ``app`` reads: the YAML files under its source
    path (``output_path`` is where ``out`` is in the repository), recursively, minus
    its directory.exclude glob, as Argo CD's repo server walks them."""
    source = app["spec"]["source"]
    folder = out / Path(source["path"]).relative_to(output_path) if source["path"] != output_path else out
    exclude = source.get("directory", {}).get("exclude")
    found = []
    for path in sorted(folder.rglob("*.yaml")):
        rel = str(path.relative_to(folder))
        if exclude and fnmatch.fnmatchcase(rel, exclude):  # Argo CD's glob without separators: '*' crosses '/'
            continue
        found.extend((rel, doc) for doc in manifests.load_documents(path))
    return found


def refused(project: dict[str, Any], app: dict[str, Any], objects: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Every reason Argo CD would not sync ``objects`` with ``app`` in ``project``."""
    spec = project["spec"]
    found = []
    if app["spec"]["source"]["repoURL"] not in spec.get("sourceRepos", []):
        found.append(f"repository {app['spec']['source']['repoURL']} is not in the project's sourceRepos")
    if app["spec"]["project"] != project["metadata"]["name"]:
        found.append(f"the Application is in project {app['spec']['project']}, not {project['metadata']['name']}")
    dest = app["spec"]["destination"]
    if not _destination_allowed(spec, dest, dest.get("namespace", "")):
        found.append(f"the Application's destination {dest} is not an allowed destination")
    for rel, doc in objects:
        group = doc["apiVersion"].rpartition("/")[0]
        namespace = doc["metadata"].get("namespace")
        if not _kind_allowed(spec, group, doc["kind"], namespaced=namespace is not None):
            found.append(f"{rel}: {doc['kind']} ({group or 'core'}) is not whitelisted")
        if namespace is not None and not _destination_allowed(spec, dest, namespace):
            found.append(f"{rel}: namespace {namespace} on {dest} is not an allowed destination")
    return found


def _kind_allowed(spec: dict[str, Any], group: str, kind: str, namespaced: bool) -> bool:
    key = "namespaceResourceWhitelist" if namespaced else "clusterResourceWhitelist"
    if namespaced and key not in spec:
        return True
    return {"group": group, "kind": kind} in spec.get(key, [])


def _destination_allowed(spec: dict[str, Any], dest: dict[str, Any], namespace: str) -> bool:
    for item in spec.get("destinations", []):
        cluster = (dest.get("server") and item.get("server") == dest["server"]) or (
            dest.get("name") and item.get("name") == dest["name"]
        )
        if cluster and item.get("namespace") == namespace:
            return True
    return False
