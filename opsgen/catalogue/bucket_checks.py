"""Latency bounds against the buckets of the histogram they read.

``slo.latencyP95`` and ``slo.latency.threshold`` are read exactly, as the share of
requests in the histogram's bucket with that bound (``le``; generate/latency.py), never
interpolated: the bound must be a bucket of the service's histogram (``slo.histogram``:
slo.latency.metric, default platform.metrics.duration).

- the service's ``metrics.exposition`` has samples of the histogram: a bound that is not
  one of its buckets is an error;
- it has none (no file, or no samples of the histogram in it): the service is assumed to
  use prometheus_client's default buckets, and a bound that is not one of them is a
  warning (printed, exit 0): opsgen cannot know the buckets.

Each is located at the bound's value, once per place (not per environment). An
exposition file that cannot be read is reported by the alert checks, not here.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable
from dataclasses import dataclass

from opsgen import durations
from opsgen.catalogue.exposition import read_exposition
from opsgen.catalogue.files import FileRefused
from opsgen.catalogue.model import Catalogue, Service
from opsgen.errors import Location, Problem

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
        for is_error, problem in _findings(service, base_dir):
            (errors if is_error else warnings).add(problem)
    return Findings(tuple(sorted(errors)), tuple(sorted(warnings)))


def _services(catalogue: Catalogue) -> Iterable[Service]:
    for env in catalogue.environments:
        yield from env.services


def bounds(service: Service) -> tuple[tuple[str, str, Location | None], ...]:
    """(field, bound, where its value is written) of every latency bound of the service."""
    slo, out = service.slo, []
    if slo.latency_p95 is not None:
        out.append(("slo.latencyP95", slo.latency_p95, slo.latency_location))
    if slo.latency is not None:
        out.append(("slo.latency.threshold", slo.latency.threshold, slo.latency.threshold_location))
    return tuple(out)


def _findings(service: Service, base_dir: str) -> Iterable[tuple[bool, Problem]]:
    """(is an error, the problem) for each bound of the service that is not a bucket."""
    todo = [(f, b, where) for f, b, where in bounds(service) if where is not None]
    if not todo:
        return
    histogram = service.slo.histogram
    declared = _declared_buckets(service, histogram, base_dir)
    if declared is None:
        return
    exposition = service.metrics.exposition if service.metrics else None
    for field, bound, where in todo:
        seconds = durations.exact_seconds(bound)
        if declared and seconds not in declared:
            yield True, Problem(where, _not_declared(field, bound, histogram, declared, exposition))
        elif not declared and seconds not in DEFAULT_BUCKETS:
            yield False, Problem(where, _not_default(field, bound, histogram))


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


def _around(seconds: float, buckets: tuple[float, ...]) -> str:
    """The buckets on either side of ``seconds``, as a hint of what to write."""
    at = bisect.bisect(buckets, seconds)
    near = [_seconds(b) for b in buckets[max(at - 1, 0) : at + 1]]
    return " or ".join(near)


def _not_declared(field: str, bound: str, histogram: str, buckets: tuple[float, ...], exposition: str | None) -> str:
    seconds = durations.exact_seconds(bound)
    return (
        f"{field}: {bound} is not a bucket of {histogram} in '{exposition}' (its bounds: "
        f"{', '.join(format(b, 'g') for b in buckets)} s): the share of requests within {bound} cannot be read "
        f"from it (opsgen never interpolates inside a bucket); give the histogram a {_seconds(seconds)} bucket, "
        f"or use {_around(seconds, buckets)}"
    )


def _not_default(field: str, bound: str, histogram: str) -> str:
    seconds = durations.exact_seconds(bound)
    return (
        f"{field}: {bound} is not one of prometheus_client's default buckets "
        f"({', '.join(format(b, 'g') for b in DEFAULT_BUCKETS)} s), and no metrics.exposition declares the buckets "
        f"of {histogram}: without a {_seconds(seconds)} bucket its latency alerts read nothing; declare the "
        f"histogram's buckets in metrics.exposition (docs/service-metrics.md), or use {_around(seconds, DEFAULT_BUCKETS)}"
    )
