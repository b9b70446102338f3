"""The first failure: a located warning when a service with a success SLO has an
exposition file (metrics.exposition) in which its requests counter has samples but no
failure series.

prometheus_client creates a labelled child at its first use, so the failure series
appears with the first failure, and ``rate()`` never sees that first increment (it has
no earlier sample to subtract): 4 failures are counted as 3, and a pod that fails once
and restarts is invisible. Creating the child at start-up (docs/service-metrics.md)
makes it exist at 0 from the first scrape. A warning, not an error: the file is what
the service's tests export, which may simply not have initialised it.
"""

from __future__ import annotations

import os
import re

from opsgen.catalogue.files import FileRefused
from opsgen.catalogue.model import Catalogue, Platform, Service
from opsgen.catalogue.promql import read_exposition
from opsgen.errors import Problem


def warnings(catalogue: Catalogue, base_dir: str | None = None) -> tuple[Problem, ...]:
    """Every first-failure warning of the catalogue, sorted, each once."""
    if base_dir is None:
        base_dir = os.path.dirname(os.path.abspath(catalogue.file))
    found = set()
    for env in catalogue.environments:
        for service in env.services:
            problem = _warning(service, catalogue.platform, base_dir)
            if problem is not None:
                found.add(problem)
    return tuple(sorted(found))


def failure_matchers(service: Service, platform: Platform) -> tuple[tuple[str, str], ...]:
    """(label, anchored regex) a failed request matches: slo.requests.failures, else the
    platform's outcome label equal to its failure outcome."""
    if service.slo.failures:
        return service.slo.failures
    return ((platform.metrics.outcome_label, re.escape(platform.metrics.failure_outcome)),)


def _warning(service: Service, platform: Platform, base_dir: str) -> Problem | None:
    metrics = service.metrics
    if service.slo.success_rate is None or metrics is None or metrics.exposition is None:
        return None
    try:
        exposition = read_exposition(base_dir, metrics.exposition)
    except FileRefused:
        return None  # reported by the alert checks
    counter = service.slo.requests_metric or platform.metrics.requests
    samples = exposition.series.get(counter, ())
    matchers = failure_matchers(service, platform)
    if not samples or any(_failed(dict(labels), matchers) for labels in samples):
        return None
    wanted = ", ".join(f"{label}=~{regex!r}" for label, regex in matchers)
    message = (
        f"metrics.exposition: '{metrics.exposition}' has {counter} samples but no failure series ({wanted}): "
        "prometheus_client creates it with the first failure, which rate() then never counts (and a pod that fails "
        "once and restarts is invisible); create it at start-up, e.g. "
        f"{counter.removesuffix('_total')}.labels({matchers[0][0]}=...) (docs/service-metrics.md)"
    )
    where = metrics.exposition_location or metrics.location
    assert where is not None  # the model locates every metrics block
    return Problem(where, message)


def _failed(labels: dict[str, str], matchers: tuple[tuple[str, str], ...]) -> bool:
    return all(re.fullmatch(regex, labels.get(label, "")) for label, regex in matchers)
