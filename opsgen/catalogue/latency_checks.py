"""Checks of ``slo.latency`` the schema cannot make, located at the value they are about:

- the objective must be high enough for its page to fire within PAGE_WITHIN of a total
  breach (every request slower than the threshold) while a burn rate of 1 stays quiet
  (catalogue/burn_policy.py): below that no thresholds do both, and the objective is
  refused, naming the lowest one that pages in time;
- the threshold must be more than zero (every request would be slow).

Whether the threshold is a bucket of the histogram is bucket_checks.py's.
"""
from __future__ import annotations

from typing import Iterable

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn_policy
from opsgen.catalogue import generated_alerts as table
from opsgen.catalogue.model import Catalogue, Service
from opsgen.errors import Problem


def problems(catalogue: Catalogue) -> tuple[Problem, ...]:
    """Every slo.latency problem, sorted, each once (not once per environment)."""
    found: set[Problem] = set()
    for env in catalogue.environments:
        for service in env.services:
            found.update(_problems(service))
    return tuple(sorted(found))


def lowest_objective() -> float:
    """The objective a latency SLO must be above (percent)."""
    return burn_policy.lowest_objective(burn_policy.PAGE_BURNS, table.BY_NAME[conv.ALERT_LATENCY_BURN_FAST].for_)


def _problems(service: Service) -> Iterable[Problem]:
    slo = service.slo.latency
    if slo is None:
        return
    if slo.objective_location is not None and slo.objective <= lowest_objective():
        yield Problem(slo.objective_location, _too_low(slo.objective))
    if slo.threshold_location is not None and durations.seconds(slo.threshold) == 0:
        yield Problem(slo.threshold_location, f"slo.latency.threshold ({slo.threshold}) must be more than zero: every request would be slow")


def _too_low(objective: float) -> str:
    page_for = table.BY_NAME[conv.ALERT_LATENCY_BURN_FAST].for_
    first = burn_policy.PAGE_BURNS[0]
    return (
        f"slo.latency.objective ({format(objective, 'g')}) is too low to page: a budget of {format(100 - objective, 'g')}% "
        f"of slow requests leaves no {first.long} threshold that a total breach crosses within {burn_policy.PAGE_WITHIN} "
        f"while a burn rate of 1 stays quiet; write {burn_policy.suggested_objective(burn_policy.PAGE_BURNS, page_for)} "
        f"or more"
    )
