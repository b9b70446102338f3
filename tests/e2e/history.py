"""History a fresh Prometheus cannot have scraped itself, backfilled with
``promtool tsdb create-blocks-from openmetrics`` into its data directory
before it starts (the blocks end before its first scrape):

- ``budget``: 30 days of rag-service at 0.5 % failures against its 99 % SLO,
  so the 30-day error budget has a known remainder (half of it): its task
  counters (the period's ratio reads them over the whole period).
- ``slo_history``: the success-SLO scenarios of tests/e2e/test_slo.py: hours of
  failures at 0.8 x the budget (steady-agent), a day of busy and idle hours in turn
  (busy-idle-agent), and a total outage that started minutes before the server
  (low-objective-agent);
- ``steady``: a day of an exporter's series at their current values (Kubecost:
  the cost panels integrate prices over a day on a 5-minute grid).
- ``restart``: the last 30 minutes before "a restart" during the incidents:
  the scenario services' own series, and ``ALERTS_FOR_STATE`` for alerts that
  had been pending for 30 minutes. Prometheus restores an alert's ``for``
  state from that series when it starts (for alerts whose ``for`` is at least
  ``--rules.alert.for-grace-period``), so those alerts fire at once and reach
  Alertmanager, as they would after a restart in the middle of an outage.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Histogram
from prometheus_client.parser import text_string_to_metric_families

from opsgen.catalogue import burn, slo_checks
from opsgen.generate import slo
from tests.e2e import fleet
from tests.e2e.cluster import scenario
from tests.e2e.generated import Generated
from tests.e2e.prometheus import History, Target, constant, counter, stamps

BUDGET_SERVICE = "rag-service"
BUDGET_FAILURE_RATIO = 0.005
BUDGET_DAYS = 30
BUDGET_STEP = 300.0  # seconds between backfilled samples
STEADY_DAYS = 1
STEADY_STEP = 120.0
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


def steady(target: Target, exposition: str, now: float) -> History:
    """``exposition`` (what ``target`` serves now) as constant history over the
    last STEADY_DAYS; the exporter's own labels win, as with honor_labels."""
    out = History()
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            samples = constant(now - STEADY_DAYS * 86400, now - GAP, STEADY_STEP, sample.value)
            out.add(sample.name, target.labels() | sample.labels, samples)
    return out


def restart(generated: Generated, targets: list[Target], alerts: list[dict[str, str]], now: float) -> History:
    """``alerts``: label sets (with alertname) of the alerts that were pending."""
    start, end = now - RESTART_MINUTES * 60, now - GAP
    out = History()
    for labels in alerts:  # the value is the time the alert became active
        out.add("ALERTS_FOR_STATE", labels, constant(start, end, 60.0, start))
    for target in targets:
        kind = fleet_scenario(generated, target.service)
        if kind in ("outage", "slow"):
            _tasks(out, generated, target.labels(), kind, start, end, _histogram(generated, target.service))
    return out


def fleet_scenario(generated: Generated, service: str) -> str | None:
    found = [s for s in generated.services if s.name == service]
    return scenario(found[0]) if found else None


def _histogram(generated: Generated, service: str) -> str:
    """The duration histogram the service's fleet process exports (its SLOs' histogram)."""
    return next(s.slo.histogram for s in generated.services if s.name == service)


def _tasks(
    out: History, generated: Generated, labels: dict[str, str], kind: str, start: float, end: float, base: str
) -> None:
    """What fleet.agent exported over [start, end] in scenario ``kind``; ``base``: its histogram."""
    conventions = generated.catalogue.platform.metrics
    outcome = conventions.failure_outcome if kind == "outage" else "success"
    growing = counter(start, end, RESTART_STEP, TASKS_PER_SECOND)
    out.add(conventions.requests, labels | {conventions.outcome_label: outcome}, growing)
    seconds = fleet.SLOW_TASK if kind == "slow" else 0.3
    for bound in Histogram.DEFAULT_BUCKETS:
        le = "+Inf" if bound == float("inf") else repr(float(bound))
        out.add(
            f"{base}_bucket",
            labels | {"le": le},
            growing if seconds <= bound else constant(start, end, RESTART_STEP, 0.0),
        )
    out.add(f"{base}_count", labels, growing)
    out.add(f"{base}_sum", labels, [(t, v * seconds) for t, v in growing])


STEADY_HOURS = 8
BUSY_IDLE_HOURS = 24  # busy in the even hours, idle in the odd ones
BUSY_PER_SECOND = 1.0
BUSY_FAILURE_RATIO = 0.12
SLO_STEP = 30.0


def slo_history(generated: Generated, targets: list[Target], now: float) -> History:
    out = History()
    end = now - GAP
    steady = generated.service("steady-agent")
    share = 1 / fleet.STEADY_EVERY
    start = end - STEADY_HOURS * 3600
    _counter(
        out,
        generated,
        _target(targets, steady.name),
        {
            "failure": lambda t: (t - start) * TASKS_PER_SECOND * share,
            "success": lambda t: (t - start) * TASKS_PER_SECOND * (1 - share),
        },
        start,
        end,
    )
    start = end - BUSY_IDLE_HOURS * 3600
    busy = _busy_seconds(start)
    _counter(
        out,
        generated,
        _target(targets, "busy-idle-agent"),
        {
            "failure": lambda t: busy(t) * BUSY_PER_SECOND * BUSY_FAILURE_RATIO,
            "success": lambda t: busy(t) * BUSY_PER_SECOND * (1 - BUSY_FAILURE_RATIO),
        },
        start,
        end,
    )
    _outage(out, generated, _target(targets, "low-objective-agent"), outage_start(generated, now), end)
    return out


def outage_start(generated: Generated, now: float) -> float:
    """When low-objective-agent's outage began: the time to page without ``for`` and the
    model's margin, before the server starts (so the alert must be pending at once, and
    fire ``for`` later, within 10 minutes of the outage's start)."""
    service = generated.service("low-objective-agent")
    page = slo.time_to_page(service, generated.catalogue.platform)
    return now - (page - slo_checks.page_for() - burn.MARGIN)


def _busy_seconds(start: float):
    def busy(t: float) -> float:
        hours, rest = divmod(t - start, 3600)
        return (hours // 2 + hours % 2) * 3600 + (rest if hours % 2 == 0 else 0)

    return busy


def _counter(out: History, generated: Generated, target: Target, by_outcome: dict, start: float, end: float) -> None:
    conventions = generated.catalogue.platform.metrics
    for outcome, value in by_outcome.items():
        labels = target.labels() | {conventions.outcome_label: outcome}
        out.add(conventions.requests, labels, [(t, round(value(t), 6)) for t in stamps(start, end, SLO_STEP)])


def _outage(out: History, generated: Generated, target: Target, outage: float, end: float) -> None:
    """Two healthy hours, then every task fails; prometheus_client creates the failure
    series with the first failure, so it starts at the first scrape after ``outage``."""
    conventions = generated.catalogue.platform.metrics
    start = outage - 2 * 3600
    ok = [(t, round(min(t, outage) - start, 6) * TASKS_PER_SECOND) for t in stamps(start, end, SLO_STEP)]
    failed = [(t, round((t - outage) * TASKS_PER_SECOND, 6)) for t in stamps(start, end, SLO_STEP) if t > outage]
    out.add(conventions.requests, target.labels() | {conventions.outcome_label: "success"}, ok)
    out.add(conventions.requests, target.labels() | {conventions.outcome_label: conventions.failure_outcome}, failed)
