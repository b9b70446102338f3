"""Exposition files (``metrics.exposition``): a service's metrics as its tests export them,
in the Prometheus text format, read through files.py and parsed once per content."""

from __future__ import annotations

import io
import math
from collections.abc import Iterable
from functools import lru_cache

from opsgen.catalogue import files
from opsgen.catalogue.files import FileRefused


def read_exposition(base_dir: str, relative: str) -> Exposition:
    """Series names (as written: counters keep ``_total``) -> label names (and the
    histograms' buckets, see Exposition), from a
    Prometheus text-format file under ``base_dir`` (read by files.py: inside the
    catalogue's folder, a regular file, capped); FileRefused when it cannot be used."""
    return _parsed(files.text(base_dir, relative))


def _parsed(text: str) -> Exposition:
    """A parse error names the line, never its text (it may hold anything)."""
    parsed = _parse_once(text)
    if isinstance(parsed, int):
        raise FileRefused(f"is not in the Prometheus text format (line {parsed})")
    return parsed


@lru_cache(maxsize=64)
def _parse_once(text: str) -> Exposition | int:
    """The file's families, or the line the parser failed on: cached per content either
    way (a failure was parsed again by every service and environment naming the file, and
    its line found by bisection, parsing 0.9 MB some 17 times: 17 s)."""
    bad = _attempt(text)
    if not isinstance(bad, int):
        return bad
    lines = text.splitlines(keepends=True)
    while bad > 1:  # the parser reports some lines (a TYPE) only on reading the next one
        earlier = _attempt("".join(lines[: bad - 1]))
        if not isinstance(earlier, int):
            break
        bad = earlier
    return bad


def _attempt(text: str) -> Exposition | int:
    """The families, or the line being read when the parser failed."""
    lines = _CountedLines(text)
    try:
        return _families(lines)
    except _PARSE_ERRORS:
        return max(lines.count, 1)


_PARSE_ERRORS = (ValueError, IndexError, KeyError, TypeError)


class _CountedLines:
    """The text's lines, as the parser reads them (``for line in fd``), counted."""

    def __init__(self, text: str) -> None:
        self.text, self.count = text, 0

    def __iter__(self):
        for line in io.StringIO(self.text):
            self.count += 1
            yield line


class Exposition(dict):
    """Series name -> label names (what ``read_exposition`` returns), plus ``buckets``:
    each histogram family's finite bucket bounds, ascending (empty without samples), and
    ``series``: each series name's label sets (name -> ((label, value), ...) per sample)."""

    def __init__(
        self,
        families: dict[str, frozenset[str]],
        buckets: dict[str, tuple[float, ...]],
        series: dict[str, tuple[tuple[tuple[str, str], ...], ...]] | None = None,
    ):
        super().__init__(families)
        self.buckets = buckets
        self.series = series or {}


def _families(lines: _CountedLines) -> Exposition:
    from prometheus_client.parser import text_fd_to_metric_families  # here: only exposition files need it

    parsed = list(text_fd_to_metric_families(lines))  # type: ignore[arg-type]  # reads any line iterator; the stub says TextIO
    out: dict[str, set[str]] = {}
    series: dict[str, list[tuple[tuple[str, str], ...]]] = {}
    for family in parsed:
        if not family.samples:  # declared without samples: the family name is all we have
            out.setdefault(family.name, set())
        for sample in family.samples:
            out.setdefault(sample.name, set()).update(sample.labels)
            series.setdefault(sample.name, []).append(tuple(sorted(sample.labels.items())))
    names = {name: frozenset(labels) for name, labels in out.items()}
    return Exposition(names, histogram_buckets(parsed), {name: tuple(sets) for name, sets in series.items()})


def histogram_buckets(families: Iterable) -> dict[str, tuple[float, ...]]:
    """Histogram family name -> the finite ``le`` bounds of its ``_bucket`` samples, ascending."""
    out = {}
    for family in families:
        if family.type == "histogram":
            bounds = {
                float(s.labels["le"]) for s in family.samples if s.name == family.name + "_bucket" and "le" in s.labels
            }
            out[family.name] = tuple(sorted(b for b in bounds if math.isfinite(b)))
    return out
