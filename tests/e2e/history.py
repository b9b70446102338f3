"""History a fresh Prometheus cannot have scraped itself, backfilled with
``promtool tsdb create-blocks-from openmetrics`` into its data directory
before it starts (the blocks end before its first scrape):

- ``budget``: 30 days of rag-service at 0.5 % failures against its 99 % SLO,
  so the 30-day error budget has a known remainder (half of it).
- ``restart``: the last 30 minutes before "a restart" during the incidents:
  the scenario services' own series, and ``ALERTS_FOR_STATE`` for alerts that
  had been pending for 30 minutes. Prometheus restores an alert's ``for``
  state from that series when it starts (for alerts whose ``for`` is at least
  ``--rules.alert.for-grace-period``), so those alerts fire at once and reach
  Alertmanager, as they would after a restart in the middle of an outage.
"""
from __future__ import annotations

from typing import Any, Iterable

from prometheus_client import Histogram

from tests.e2e import fleet
from tests.e2e.generated import Generated
from tests.e2e.prometheus import History, Target, counter

BUDGET_SERVICE = "rag-service"
BUDGET_FAILURE_RATIO = 0.005
BUDGET_DAYS = 30
BUDGET_STEP = 300.0  # seconds between backfilled samples
RESTART_MINUTES = 30
RESTART_STEP = 10.0
GAP = 5.0  # seconds between the end of the history and the server's start
TASKS_PER_SECOND = 1 / fleet.TICK


def _target(targets: Iterable[Target], service: str) -> Target:
    (found,) = [t for t in targets if t.service == service]
    return found


def budget(generated: Generated, targets: list[Target], now: float) -> History:
    service = generated.service(BUDGET_SERVICE)
    conventions = generated.catalogue.platform.metrics
    labels = _target(targets, service.name).labels()
    start, end = now - BUDGET_DAYS * 86400, now - GAP
    out = History()
    for outcome, share in (("success", 1 - BUDGET_FAILURE_RATIO), (conventions.failure_outcome, BUDGET_FAILURE_RATIO)):
        series = labels | {conventions.outcome_label: outcome}
        out.add(conventions.requests, series, counter(start, end, BUDGET_STEP, TASKS_PER_SECOND * share))
    return out


def restart(generated: Generated, targets: list[Target], alerts: list[dict[str, str]], now: float) -> History:
    """``alerts``: label sets (with alertname) of the alerts that were pending."""
    start, end = now - RESTART_MINUTES * 60, now - GAP
    out = History()
    for labels in alerts:
        stamps = counter(start, end, 60.0, 0.0)
        out.add("ALERTS_FOR_STATE", labels, [(stamp, start) for stamp, _ in stamps])
    for target in targets:
        scenario = fleet_scenario(generated, target.service)
        if scenario in ("outage", "slow"):
            _tasks(out, generated, target.labels(), scenario, start, end)
    return out


def fleet_scenario(generated: Generated, service: str) -> str | None:
    from tests.e2e.cluster import scenario

    found = [s for s in generated.services if s.name == service]
    return scenario(found[0]) if found else None


def _tasks(out: History, generated: Generated, labels: dict[str, str], scenario: str, start: float, end: float) -> None:
    """What fleet.agent exported over [start, end] in this scenario."""
    conventions = generated.catalogue.platform.metrics
    outcome = conventions.failure_outcome if scenario == "outage" else "success"
    growing = counter(start, end, RESTART_STEP, TASKS_PER_SECOND)
    out.add(conventions.requests, labels | {conventions.outcome_label: outcome}, growing)
    seconds = fleet.SLOW_TASK if scenario == "slow" else 0.3
    base = conventions.duration
    for bound in Histogram.DEFAULT_BUCKETS:
        le = "+Inf" if bound == float("inf") else repr(float(bound))
        out.add(f"{base}_bucket", labels | {"le": le}, growing if seconds <= bound else _zero(growing))
    out.add(f"{base}_count", labels, growing)
    out.add(f"{base}_sum", labels, [(t, v * seconds) for t, v in growing])


def _zero(samples: list[tuple[float, float]]) -> list[tuple[float, Any]]:
    return [(t, 0.0) for t, _ in samples]
