"""Prometheus durations (``15s``, ``2m``, ``1h30m``)."""

from __future__ import annotations

import math
import re

PATTERN = r"^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$"
_UNITS = (
    ("y", 365 * 86400.0),
    ("w", 7 * 86400.0),
    ("d", 86400.0),
    ("h", 3600.0),
    ("m", 60.0),
    ("s", 1.0),
    ("ms", 0.001),
)
_RE = re.compile(PATTERN)
MAX_DIGITS = 20  # a unit with more digits is longer than any duration opsgen accepts
MAX_SECONDS = 2**31 - 1  # int32 seconds (KEDA's pollingInterval, cooldownPeriod); Prometheus' int64 ms holds it too


def _units(text: str) -> list[tuple[int, float]] | None:
    """(count, seconds per unit) of each unit written; None when a count has more digits
    than any bound (int() of thousands of digits would raise); ValueError for a non-duration."""
    match = _RE.fullmatch(text) if text else None
    if match is None:
        raise ValueError(f"not a Prometheus duration: {text!r}")
    groups = match.groups()[1::2]
    if any(len(g) > MAX_DIGITS for g in groups if g):
        return None
    return [(int(g), factor) for g, (_, factor) in zip(groups, _UNITS) if g]


def seconds(text: str) -> float:
    """Seconds in a Prometheus duration; ValueError for anything else."""
    units = _units(text)
    return math.inf if units is None else sum(count * factor for count, factor in units)


def exact_seconds(text: str) -> float:
    """Seconds as the float nearest the exact value (``300ms`` -> 0.3, the float an exporter
    writes for a 0.3 bucket), for comparing with bucket bounds: ``seconds`` sums the units'
    floats (``ms`` x 0.001) and may be off in the last bit."""
    units = _units(text)
    return math.inf if units is None else sum(count * round(factor * 1000) for count, factor in units) / 1000


def whole_seconds(text: str) -> int:
    """Seconds rounded up, for targets that take an integer (KEDA)."""
    value = seconds(text)
    return int(value) if value == int(value) else int(value) + 1


def is_duration(text: object) -> bool:
    return isinstance(text, str) and bool(text) and _RE.fullmatch(text) is not None
