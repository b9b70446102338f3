"""The stack's files, read once each the way the catalogue's are (catalogue/safe_yaml.py):
no links out of the stack's folder, no FIFOs or devices, a size bound, and YAML
with the catalogue's limits and positions (YAML 1.1 numbers kept: Helm reads them so).

Every finding is a ``Problem`` located at the value it is about when the file
says where, else at the file (line 0: the whole file)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from opsgen.catalogue import load, safe_yaml
from opsgen.errors import CatalogueError, Location, Problem

MISSING = object()


class Unreadable(Exception):
    """A file of the stack that cannot be read: ``problem`` says why, located."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class Sources:
    """The files under ``root``, each read and parsed at most once."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._documents: dict[str, load.Document | Unreadable] = {}

    def exists(self, name: str) -> bool:
        return (self.root / name).is_file()

    def document(self, name: str) -> load.Document:
        """The parsed file, or Unreadable (missing, refused, not YAML)."""
        if name not in self._documents:
            self._documents[name] = self._read(name)
        found = self._documents[name]
        if isinstance(found, Unreadable):
            raise found
        return found

    def data(self, name: str) -> Any:
        return self.document(name).data

    def _read(self, name: str) -> load.Document | Unreadable:
        try:
            return safe_yaml.read_yaml(str(self.root), name)
        except CatalogueError as exc:
            return Unreadable(exc.problems[0])

    def at(self, name: str, path: Sequence[str | int], message: str) -> Problem:
        """``message`` located at the value of ``path`` in ``name`` (at its deepest
        existing parent when the path is not there, as the catalogue's errors are)."""
        try:
            return Problem(self.document(name).locate(list(path), value=True), message)
        except Unreadable:
            return at_file(name, message)

    def set_in(self, names: Sequence[str], dotted: str, message: str, fallback: str) -> Problem:
        """``message`` at ``dotted`` in the last of ``names`` (values files, merged in
        order) that sets it, else at the top of the first one (``fallback`` without any)."""
        for name in reversed(names):
            try:
                if get(self.data(name) or {}, dotted) is not MISSING:
                    return self.at(name, dotted.split("."), message)
            except Unreadable:
                continue
        return self.at(names[0] if names else fallback, [], message)


def at_file(name: str, message: str) -> Problem:
    return Problem(Location(name, 0, 0), message)


def get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return MISSING
        data = data[part]
    return data


def show(value: Any) -> str:
    return "unset" if value is MISSING else json.dumps(value, sort_keys=True)


def kind(value: Any) -> str:
    name = type(value).__name__
    return "empty" if value is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
