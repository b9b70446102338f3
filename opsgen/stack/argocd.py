"""Argo CD in the stack: the Applications are generated (dist/_argocd/, from
platform.argocd; ``opsgen check`` proves they are current), so a hand-written
``deploy/argocd/`` beside them is a problem: two Applications would manage the
same objects."""

from __future__ import annotations

from opsgen.catalogue.model import Catalogue
from opsgen.errors import Problem
from opsgen.stack.read import Sources, at_file

HAND_WRITTEN_DIR = "deploy/argocd"  # where the Applications were written by hand before opsgen generated them


def check(catalogue: Catalogue, sources: Sources, problems: list[Problem]) -> None:
    folder = sources.root / HAND_WRITTEN_DIR
    if folder.is_dir() and any(folder.iterdir()):
        problems.append(
            at_file(
                HAND_WRITTEN_DIR,
                f"hand-written Argo CD objects beside the generated ones (dist/_argocd/, "
                f"from platform.argocd of {catalogue.file}): two Applications would manage "
                "the same objects; delete this folder",
            )
        )
