"""Synth-time checks of the catalogue's alerts, located at the line they are about:
every expression parses and names only known metrics (and known labels of
metrics read from exposition files), every exposition file can be read, and no
catalogue alert takes the name of an alert opsgen generates.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from opsgen.catalogue import bucket_checks, first_failure, generated_alerts
from opsgen.catalogue.model import Alert, Catalogue
from opsgen.catalogue.promql import KnownMetrics, check_expr, known_metrics
from opsgen.errors import CatalogueError, Problem


def check(catalogue: Catalogue, base_dir: str | None = None) -> tuple[Problem, ...]:
    """Raise CatalogueError with every alert problem, else return the warnings (a
    latencyP95 no declared bucket vouches for, a counter without its failure series); ``base_dir`` (default: the
    catalogue's directory) is where exposition paths start."""
    if base_dir is None:
        base_dir = os.path.dirname(os.path.abspath(catalogue.file))
    known = known_metrics(catalogue, base_dir)
    buckets = bucket_checks.findings(catalogue, base_dir)  # latencyP95 against the declared buckets
    problems = list(known.problems) + list(alert_problems(catalogue, known)) + list(buckets.errors)
    if problems:
        raise CatalogueError(problems)
    return tuple(sorted(buckets.warnings + first_failure.warnings(catalogue, base_dir)))


def alert_problems(catalogue: Catalogue, known: KnownMetrics) -> Iterable[Problem]:
    yield from _problems(catalogue.alerts, known)
    for env in catalogue.environments:
        for service in env.services:
            yield from _problems(service.alerts, known)


def _problems(alerts: tuple[Alert, ...], known: KnownMetrics) -> Iterable[Problem]:
    for index, alert in enumerate(alerts):
        if alert.name.lower() in _RESERVED and alert.name_location is not None:
            yield Problem(alert.name_location, _reserved(index, alert.name))
        if alert.location is not None:
            for message in check_expr(alert.expr, known, f"alerts[{index}].expr"):
                yield Problem(alert.location, message)


# Ignoring case: a generated alert and a catalogue alert whose names differ only in case
# would share a runbook URL (the base plus the lower-case name).
_RESERVED = {name.lower(): name for name in generated_alerts.BY_NAME}


def _reserved(index: int, name: str) -> str:
    generated = _RESERVED[name.lower()]
    what = (
        "is the name" if generated == name else f"differs only in case from '{generated}', the name (and runbook URL)"
    )
    return (
        f"alerts[{index}].name: '{name}' {what} of the alert opsgen generates from {generated_alerts.BY_NAME[generated].source}; "
        "rename this alert (or drop it and use the generated one)"
    )
