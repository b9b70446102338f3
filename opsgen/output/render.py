"""Stage 5a, render: batches synthesized by cdk8s -> the exact bytes of every output file.

Importing this module does not import cdk8s: parallel.py renders batches in a
parent process that must never start a jsii kernel of its own.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue
from opsgen.generate.batch import Batch, Identity

try:
    from yaml import CSafeDumper as _Base
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Base  # type: ignore[assignment]


class _Dumper(_Base):
    """Block style; multi-line strings (dashboards, descriptions) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)  # type: ignore[arg-type]  # PyYAML's stub types the dumper too narrowly


def header(source: str, folder: str | None = None) -> str:
    """The generated header naming ``source``: as seen from the catalogue's ``folder``
    (``teams/billing.yaml`` for an included file), or by its base name."""
    shown = os.path.relpath(source, folder or os.curdir) if folder is not None else os.path.basename(source)
    return f"{conv.HEADER}\n# source: {comment_safe(shown)}\n"


def comment_safe(text: str) -> str:
    """``text`` as the rest of one YAML comment line: a catalogue file name is
    the user's, and a line break in it would start YAML of its own in every
    output file. Backslashes and every character that is not printable (line
    breaks of every kind, controls, undecodable bytes) are written escaped."""
    return "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode("ascii") for c in text)


def dump(documents: Iterable[dict[str, Any]], source: str, folder: str | None = None) -> bytes:
    """One output file: the header (see header), then the documents separated by ``---``."""
    body = yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1 << 16
    )
    return (header(source, folder) + body).encode("utf-8")


@dataclass(frozen=True)
class Sources:
    """The catalogue file each output file names in its header: the catalogue, or for a
    service written in an included file (teams/billing.yaml), that file."""

    catalogue: str
    included: dict[str, str]  # output path -> the included file its objects are written in

    def of(self, path: str) -> str:
        return self.included.get(path, self.catalogue)


def sources(catalogue: Catalogue) -> Sources:
    included = {
        os.path.join(conv.env_dir(env.name), conv.service_file(service)): service.location.file
        for env in catalogue.environments
        for service in env.services
        if service.location is not None and service.location.file != catalogue.file
    }
    return Sources(catalogue.file, included)


@dataclass(frozen=True)
class Rendered:
    """The whole output directory: relative path -> bytes, and per-environment counts."""

    files: dict[str, bytes]
    summary: tuple[tuple[str, int, int], ...]  # (directory, objects, files)


def render(batches: Iterable[Batch], source: Sources) -> Rendered:
    """Every batch rendered, in this process."""
    return assemble((batch, render_batch(batch, source)) for batch in batches)


def assemble(rendered: Iterable[tuple[Batch, dict[str, bytes]]]) -> Rendered:
    """The whole output from each batch and its files, whoever rendered them."""
    files: dict[str, bytes] = {}
    tally = Tally()
    for batch, batch_files in rendered:
        files.update(batch_files)
        tally.add(batch)
    return Rendered(dict(sorted(files.items())), tally.summary())


def render_batch(batch: Batch, source: Sources) -> dict[str, bytes]:
    """The output files of a batch: cdk8s's synthesis (resolution, patches,
    ordering) split into files. cdk8s returns the objects in creation order,
    which is checked against what generate recorded."""
    documents = json.loads(batch.json)
    _check_order(documents, batch.identities)
    files, start = {}, 0
    for path, count in batch.files:
        if count:
            shown = os.path.join(batch.env, path)
            written = source.of(shown)
            files[shown] = dump(
                documents[start : start + count],
                written,
                os.path.dirname(source.catalogue) if written != source.catalogue else None,
            )
        start += count
    return files


def _check_order(documents: list[dict[str, Any]], expected: Sequence[Identity]) -> None:
    actual = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in documents]
    if actual != list(expected):  # cdk8s reordered objects (e.g. a dependency): never split wrongly
        raise RuntimeError("cdk8s returned the objects in an unexpected order; cannot split them into files")


class Tally:
    """Objects and files per environment directory, in the order they come."""

    def __init__(self) -> None:
        self._totals: dict[str, list[int]] = {}

    def add(self, batch: Batch) -> None:
        total = self._totals.setdefault(batch.env, [0, 0])
        total[0] += sum(count for _, count in batch.files)
        total[1] += sum(1 for _, count in batch.files if count)

    def summary(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((env, objects, files) for env, (objects, files) in self._totals.items())
