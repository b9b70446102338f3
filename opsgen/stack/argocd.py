"""deploy/argocd/: one Application per environment, applying that environment's
folder of dist/ with the sync options opsgen's output needs."""
from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue
from opsgen.errors import Problem
from opsgen.stack.helmfile import DEFAULT_ENV
from opsgen.stack.read import Sources, Unreadable, at_file

ARGOCD_DIR = "deploy/argocd"
DIST_DIR = "dist"
SYNC_OPTIONS = ("ServerSideApply=true", "SkipDryRunOnMissingResource=true")


def argocd_file(env_name: str | None) -> str:
    return f"{ARGOCD_DIR}/{env_name or DEFAULT_ENV}.yaml"


def dist_path(env_name: str | None) -> str:
    return "/".join(p for p in (DIST_DIR, conv.env_dir(env_name)) if p)


def check(catalogue: Catalogue, sources: Sources, problems: list[Problem]) -> None:
    for env in catalogue.environments:
        name = argocd_file(env.name)
        if not sources.exists(name):
            problems.append(at_file(name, f"missing (needed for environment {env.name or DEFAULT_ENV!r})"))
            continue
        try:
            app = sources.data(name)
        except Unreadable as exc:
            problems.append(exc.problem)
            continue
        problems.extend(_application(sources, name, app, env.name))


def _application(sources: Sources, name: str, app: object, env_name: str | None) -> list[Problem]:
    if not isinstance(app, dict) or app.get("kind") != "Application" or not str(app.get("apiVersion", "")).startswith("argoproj.io/"):
        return [at_file(name, "not an argoproj.io Application")]
    out = []
    spec = app.get("spec") or {}
    source = spec.get("source") or {}
    path = str(source.get("path", "")).strip("/")
    if path != dist_path(env_name):
        out.append(sources.at(name, ["spec", "source", "path"], f"spec.source.path is {path!r}; opsgen writes environment "
                                                                 f"{env_name or DEFAULT_ENV!r} to {dist_path(env_name)!r}"))
    if (source.get("directory") or {}).get("recurse") is not True:
        out.append(sources.at(name, ["spec", "source", "directory", "recurse"],
                              "spec.source.directory.recurse must be true (dist/ has one folder per namespace)"))
    sync = spec.get("syncPolicy") or {}
    for option in SYNC_OPTIONS:
        if option not in (sync.get("syncOptions") or []):
            out.append(sources.at(name, ["spec", "syncPolicy", "syncOptions"], f"spec.syncPolicy.syncOptions lacks {option}"))
    if (sync.get("automated") or {}).get("prune") is not True:
        out.append(sources.at(name, ["spec", "syncPolicy", "automated", "prune"],
                              "spec.syncPolicy.automated.prune must be true (objects removed from dist/ go away)"))
    return out
