"""Located warnings about the Argo CD fields (platform.argocd, environments.<env>.argocd):
settings that write nothing, because without platform.argocd.repoURL opsgen writes no Argo CD
objects (the contract's default; docs/ops.md, "Argo CD")."""

from __future__ import annotations

from typing import Any

from opsgen.catalogue.load import Document
from opsgen.errors import Problem


def warnings(doc: Document) -> tuple[Problem, ...]:
    """Argo CD settings given while platform.argocd.repoURL is not: each, where it is written."""
    data: dict[str, Any] = doc.data
    argocd = (data.get("platform") or {}).get("argocd")
    if isinstance(argocd, dict) and "repoURL" in argocd:
        return ()
    found = []
    if argocd is not None:
        found.append(
            Problem(
                doc.locate(("platform", "argocd")), "platform.argocd has no repoURL: no Argo CD objects are written"
            )
        )
    for env, settings in (data.get("environments") or {}).items():
        if isinstance(settings, dict) and "argocd" in settings:
            where = doc.locate(("environments", env, "argocd"))
            found.append(
                Problem(
                    where,
                    f"environments.{env}.argocd has no effect without platform.argocd.repoURL: no Argo CD objects are written",
                )
            )
    return tuple(found)
