"""``slo.latencyP95`` against the buckets of the duration histogram.

``histogram_quantile`` never returns more than the largest finite bucket (a quantile
in the ``+Inf`` bucket reads as that bound), so LatencyP95High cannot fire for a
``latencyP95`` at or above it:

- the service's ``metrics.exposition`` declares the histogram's buckets: an error;
- it does not (no file, or no samples of the histogram in it): the service is assumed
  to use prometheus_client's default buckets (largest 10 s), and a latencyP95 of 10 s
  or more is a warning (printed, exit 0): opsgen cannot know the buckets.

Both are located at the ``latencyP95`` value, once per place (not per environment).
An exposition file that cannot be read is reported by the alert checks, not here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterable

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue.model import Catalogue, Service
from opsgen.catalogue.files import FileRefused
from opsgen.catalogue.exposition import read_exposition
from opsgen.errors import Problem

# prometheus_client's Histogram.DEFAULT_BUCKETS without +Inf, copied: importing it costs
# validate 0.03 s (tests/catalogue/test_bucket_checks.py checks the copy)
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0)


@dataclass(frozen=True)
class Findings:
    errors: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


def findings(catalogue: Catalogue, base_dir: str | None = None) -> Findings:
    """Every bucket error and warning of the catalogue, sorted, each once; exposition
    paths start at ``base_dir`` (default: the catalogue's directory)."""
    if base_dir is None:
        base_dir = os.path.dirname(os.path.abspath(catalogue.file))
    errors: set[Problem] = set()
    warnings: set[Problem] = set()
    for service in _services(catalogue):
        found = _finding(service, catalogue.platform.metrics.duration, base_dir)
        if found is not None:
            (errors if found[0] else warnings).add(found[1])
    return Findings(tuple(sorted(errors)), tuple(sorted(warnings)))


def _services(catalogue: Catalogue) -> Iterable[Service]:
    for env in catalogue.environments:
        yield from env.services


def _finding(service: Service, histogram: str, base_dir: str) -> tuple[bool, Problem] | None:
    """(is an error, the problem) for one service, or None when its latencyP95 can fire."""
    latency, where = service.slo.latency_p95, service.slo.latency_location or service.location
    if latency is None or where is None:
        return None
    declared = _declared_buckets(service, histogram, base_dir)
    if declared is None:
        return None
    limit = durations.seconds(latency)
    if declared and limit >= declared[-1]:
        return True, Problem(where, _above_declared(latency, declared[-1], histogram, service.metrics.exposition))
    if not declared and limit >= DEFAULT_BUCKETS[-1]:
        return False, Problem(where, _above_defaults(latency, histogram))
    return None


def _declared_buckets(service: Service, histogram: str, base_dir: str) -> tuple[float, ...] | None:
    """The histogram's finite buckets in the service's exposition file; () when it has
    none (or no file); None when the file cannot be read (reported elsewhere)."""
    exposition = service.metrics.exposition if service.metrics else None
    if exposition is None:
        return ()
    try:
        return read_exposition(base_dir, exposition).buckets.get(histogram, ())
    except FileRefused:
        return None


def _seconds(value: float) -> str:
    return f"{format(value, 'g')}s"


def _above_declared(latency: str, largest: float, histogram: str, exposition: str | None) -> str:
    return (
        f"slo.latencyP95: {latency} is not below {_seconds(largest)}, the largest finite bucket of {histogram} "
        f"in '{exposition}': histogram_quantile never returns more, so {conv.ALERT_LATENCY} could never fire; "
        f"give the histogram a bucket above {latency} (or lower slo.latencyP95)"
    )


def _above_defaults(latency: str, histogram: str) -> str:
    return (
        f"slo.latencyP95: {latency} is not below {_seconds(DEFAULT_BUCKETS[-1])}, the largest finite bucket of "
        f"prometheus_client's default buckets ({format(DEFAULT_BUCKETS[0], 'g')} to {format(DEFAULT_BUCKETS[-1], 'g')} s), "
        f"and no metrics.exposition declares the buckets of {histogram}: histogram_quantile never returns more "
        f"than the largest finite bucket, so {conv.ALERT_LATENCY} could never fire; declare the histogram's "
        "buckets in metrics.exposition (docs/service-metrics.md)"
    )
