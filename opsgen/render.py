"""Stage 5a, render: cdk8s charts -> the exact bytes of every output file."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterable

import yaml

from . import conventions as conv
from .generate import EnvOutput
from .lib import created

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
    return f"{conv.HEADER}\n# source: {os.path.basename(source)}\n"


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


def render(outputs: list[EnvOutput], source: str) -> Rendered:
    """``Chart.to_json()`` is cdk8s's synthesis of a chart (resolution, patches,
    ordering): one jsii crossing per environment. Its objects come back in
    creation order, which is checked against what generate recorded."""
    files: dict[str, bytes] = {}
    summary = []
    for out in outputs:
        documents = out.chart.to_json()
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
