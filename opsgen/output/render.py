"""Stage 5a, render: cdk8s charts -> the exact bytes of every output file.

Importing this module does not import cdk8s: parallel.py merges rendered
shards in a parent process that must never start a jsii kernel of its own.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable

import yaml

from opsgen import conventions as conv
if TYPE_CHECKING:
    from opsgen.build.generate import EnvOutput

try:
    from yaml import CSafeDumper as _Base
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as _Base  # type: ignore[assignment]


class _Dumper(_Base):  # type: ignore[misc, valid-type]
    """Block style; multi-line strings (dashboards, descriptions) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def header(source: str) -> str:
    return f"{conv.HEADER}\n# source: {comment_safe(os.path.basename(source))}\n"


def comment_safe(text: str) -> str:
    """``text`` as the rest of one YAML comment line: a catalogue file name is
    the user's, and a line break in it would start YAML of its own in every
    output file. Backslashes and every character that is not printable (line
    breaks of every kind, controls, undecodable bytes) are written escaped."""
    return "".join(c if c.isprintable() and c != "\\" else c.encode("unicode_escape").decode("ascii") for c in text)


def dump(documents: Iterable[dict[str, Any]], source: str) -> bytes:
    """One output file: the header, then the documents separated by ``---``."""
    body = yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1 << 16
    )
    return (header(source) + body).encode("utf-8")


@dataclass(frozen=True)
class Rendered:
    """The whole output directory: relative path -> bytes, and per-environment counts."""

    files: dict[str, bytes]
    summary: tuple[tuple[str, int, int], ...]  # (directory, objects, files)


def render(outputs: "list[EnvOutput]", source: str) -> Rendered:
    """``lib.synth`` is cdk8s's synthesis of a chart (resolution, patches,
    ordering): two jsii calls per environment. Its objects come back in
    creation order, which is checked against what generate recorded."""
    from opsgen.build.lib import created, synth  # this module itself stays free of cdk8s (see parallel.py)

    files: dict[str, bytes] = {}
    summary = []
    for out in outputs:
        documents = synth(out.chart)
        _check_order(documents, created(out.chart))
        prefix, start = conv.env_dir(out.env.name), 0
        for path, count in out.files:
            if count:
                files[os.path.join(prefix, path)] = dump(documents[start : start + count], source)
            start += count
        summary.append((prefix, len(documents), sum(1 for _, count in out.files if count)))
    return Rendered(dict(sorted(files.items())), tuple(summary))


def _check_order(documents: list[dict[str, Any]], expected: list[tuple[str, str | None, str]]) -> None:
    actual = [(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]) for d in documents]
    if actual != expected:  # cdk8s reordered objects (e.g. a dependency): never split wrongly
        raise RuntimeError("cdk8s returned the objects in an unexpected order; cannot split them into files")


def merge(parts: list[Rendered]) -> Rendered:
    """One Rendered from shards of the same output (see generate.Shard)."""
    files: dict[str, bytes] = {}
    totals: dict[str, list[int]] = {}
    for part in parts:
        files.update(part.files)
        for directory, objects, count in part.summary:
            total = totals.setdefault(directory, [0, 0])
            total[0], total[1] = total[0] + objects, total[1] + count
    summary = tuple((directory, objects, count) for directory, (objects, count) in totals.items())
    return Rendered(dict(sorted(files.items())), summary)
