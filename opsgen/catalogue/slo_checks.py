"""Rules of the SLO fields a schema cannot say (validate.py calls them).

Read on the raw, merged service (as service_checks.service_rules reads it), so every problem
shows in the same run as the structure's; a value of the wrong type is the schema's to
report and is skipped here:

- ``platform.slo.period``: whole days, 1d to 90d;
- ``slo.successRate`` and ``slo.latency.objective``: refused when no burn-rate
  thresholds can page a total outage (every request failing, or slower than the
  threshold) within 10 minutes and stay quiet at a burn rate of 1.5 or less (burn.plan,
  one model for both SLOs); the message names the lowest objective that can;
- ``slo.latency.threshold``: more than zero (else every request is slow);
- ``metrics.interval``: at least 4 samples in the shortest window the service's SLO
  rules read, else the largest interval allowed;
- ``slo.requests.failures``: each regex must compile.
"""

from __future__ import annotations

import re
from typing import Any

from opsgen import durations
from opsgen.catalogue import burn, generated_alerts, schema
from opsgen.conventions import ALERT_BURN_FAST, RATE_WINDOW
from opsgen.errors import Problem

DEFAULT_INTERVAL = schema.METRICS["properties"]["interval"]["default"]  # metrics.interval's


def period_days(platform: Any) -> int | None:
    """platform.slo.period in days; the default when unset; None when it is invalid."""
    slo = platform.get("slo") if isinstance(platform, dict) else None
    period = slo.get("period", schema.PERIOD_DEFAULT) if isinstance(slo, dict) else schema.PERIOD_DEFAULT
    if not durations.is_duration(period):
        return None
    seconds = durations.seconds(period)
    days = seconds / 86400
    low, high = burn.PERIOD_DAYS
    return int(days) if days == int(days) and low <= days <= high else None


def platform_problems(doc) -> list[Problem]:
    """platform.slo.period must be whole days from 1d to 90d."""
    platform = doc.data.get("platform")
    slo = platform.get("slo") if isinstance(platform, dict) else None
    period = slo.get("period") if isinstance(slo, dict) else None
    if not durations.is_duration(period) or period_days(platform) is not None:
        return []
    low, high = burn.PERIOD_DAYS
    message = f"platform.slo.period ({period}) must be whole days from {low}d to {high}d, such as 30d or 28d"
    return [Problem(doc.locate(("platform", "slo", "period"), value=True), message)]


def service_rules(service: dict, platform: dict) -> list[tuple[tuple, str]]:
    """(service-relative path, message) for every SLO rule ``service`` breaks."""
    slo, metrics = _map(service, "slo"), _map(service, "metrics") or {}
    if slo is None:
        return []
    interval = metrics.get("interval", DEFAULT_INTERVAL)
    days = period_days(platform)
    out = _failure_rules(slo)
    if not durations.is_duration(interval) or days is None or durations.seconds(interval) == 0:
        return out
    too_long = _interval_rules(slo, interval, days, "metrics" in service)
    out += too_long
    out += _threshold_rules(_map(slo, "latency") or {})
    if too_long:
        return out
    objectives = (
        (("slo", "successRate"), slo.get("successRate"), SUCCESS),
        (("slo", "latency", "objective"), (_map(slo, "latency") or {}).get("objective"), LATENCY),
    )
    for path, objective, what in objectives:
        if isinstance(objective, (int, float)) and not isinstance(objective, bool) and 0 < objective < 100:
            out += _objective_rules(path, objective, durations.seconds(interval), days, what)
    return out


def page_for() -> float:
    """Seconds of ErrorBudgetBurnFast's ``for`` (catalogue/generated_alerts.py)."""
    return durations.seconds(generated_alerts.BY_NAME[ALERT_BURN_FAST].for_)


# (what a total outage is, what else to alert on) per SLO, for the message of a refused objective
SUCCESS = ("a total outage", "alert on the failure ratio with a catalogue alert")
LATENCY = ("a total breach (every request slower than the threshold)", "alert on the slow share with slo.latencyP95")


def _objective_rules(
    path: tuple, objective: float, interval: float, days: int, what: tuple[str, str]
) -> list[tuple[tuple, str]]:
    if burn.plan(objective, days, interval, page_for()) is not None:
        return []
    lowest = burn.lowest_objective(days, interval, page_for())
    budget = (100 - objective) / 100
    fix = f"write {path[-1]}: {format(lowest, 'g')} or more" if lowest is not None else "scrape it more often"
    message = (
        f"{'.'.join(path)} ({format(objective, 'g')}) is too low to page by burn rate: {what[0]} spends its budget "
        f"only {format(1 / budget, '.3g')} times as fast as allowed, and no window pages it within "
        f"{burn.PAGE_WITHIN // 60} minutes at a burn rate above {format(burn.MIN_FACTOR, 'g')} (docs/alerts.md); {fix}, "
        f"or {what[1]}"
    )
    return [(path, message)]


def _threshold_rules(latency: dict) -> list[tuple[tuple, str]]:
    threshold = latency.get("threshold")
    if not isinstance(threshold, str) or not durations.is_duration(threshold) or durations.seconds(threshold) > 0:
        return []
    return [
        (
            ("slo", "latency", "threshold"),
            f"slo.latency.threshold ({threshold}) must be more than zero: every request would be slow",
        )
    ]


def _interval_rules(slo: dict, interval: str, days: int, has_metrics: bool) -> list[tuple[tuple, str]]:
    """The shortest window the SLO rules read must hold MIN_SAMPLES scrapes."""
    windows = []
    if slo.get("successRate") is not None or slo.get("latency") is not None:
        windows.append(burn.windows(days)[0])
    if slo.get("latencyP95") is not None:
        windows.append(RATE_WINDOW)
    if not windows or not has_metrics:
        return []
    shortest = min(windows, key=durations.seconds)
    largest = durations.seconds(shortest) / burn.MIN_SAMPLES
    if durations.seconds(interval) <= largest:
        return []
    message = (
        f"metrics.interval ({interval}) leaves fewer than {burn.MIN_SAMPLES} samples in the {shortest} window the "
        f"service's SLO rules read, so rate() there sees too little or nothing; the largest interval allowed is "
        f"{burn.duration(largest)}"
    )
    return [(("metrics", "interval"), message)]


def _failure_rules(slo: dict) -> list[tuple[tuple, str]]:
    requests = _map(slo, "requests") or {}
    failures = _map(requests, "failures") or {}
    out = []
    for label, regex in failures.items():
        if not isinstance(regex, str):
            continue
        try:
            re.compile(regex)
        except re.error as exc:
            out.append(
                (
                    ("slo", "requests", "failures", label),
                    f"slo.requests.failures.{label}: {regex!r} is not a regular expression: {exc}",
                )
            )
    return out


def _map(item: Any, key: str) -> dict | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value if isinstance(value, dict) else None
