"""Stage 5a, render: cdk8s charts -> the exact bytes of every output file."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterable

import yaml

from . import conventions as conv
from .generate import EnvOutput

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
    ordering); it crosses the jsii bridge once per file."""
    files: dict[str, bytes] = {}
    summary = []
    for out in outputs:
        prefix = conv.env_dir(out.env.name)
        objects = count = 0
        for path, chart in out.files:
            documents = chart.to_json()
            if documents:
                files[os.path.join(prefix, path)] = dump(documents, source)
                objects, count = objects + len(documents), count + 1
        summary.append((prefix, objects, count))
    return Rendered(dict(sorted(files.items())), tuple(summary))
