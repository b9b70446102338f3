"""Burn-rate alerting of a success SLO as data and arithmetic: the windows recorded for
a period, the window pairs each burn alert reads with their thresholds, and how long a
total outage takes to page. No PromQL here: generate/slo.py writes the rules from it,
slo_checks.py refuses the objectives no thresholds can page in time, docs/alerts.md
shows its table (tests/generate/test_slo_alerts.py keeps the doc equal to it).

The pairs are the SRE workbook's, as Sloth writes them for a 30-day period: an alert
needs the failure ratio over a long *and* a short window above ``factor x budget``,
where ``factor = consumption x period / long window`` (2 % of the budget spent in 1h
is 14.4). For another period the windows scale with it, as Pyrra scales its own
(rounded to the minute, never under 5m), so the factors stay the workbook's.

Two bounds the workbook leaves open, for every objective the schema accepts:

- a burn rate of 1 or less never pages nor tickets: no factor is under MIN_FACTOR
  (the workbook's 10 % in 3d is a factor of exactly 1; here it is 15 %, 1.5);
- a total outage pages within PAGE_WITHIN: where 14.4 x budget over 1h cannot be
  reached in time, the first page pair lowers its threshold to what a total outage
  reaches in time, and takes a shorter recorded window when that threshold would be
  under MIN_FACTOR x budget. An objective no window can page in time is refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from opsgen import conventions as conv
from opsgen import durations

REFERENCE_DAYS = 30  # the period the workbook's (and Sloth's) windows are written for
PERIOD_DAYS = (1, 90)  # platform.slo.period: whole days in this range
MIN_WINDOW = 300  # seconds: no window shorter than 5m (4 samples at a 75s scrape interval)
MIN_SAMPLES = 4  # samples metrics.interval must leave in the shortest window read
PAGE_WITHIN = 600  # seconds: a total outage pages within 10 minutes of its start
MARGIN = 60  # seconds of PAGE_WITHIN kept for what the model leaves out (rate() extrapolation, jitter)
MIN_FACTOR = 1.5  # no page nor ticket fires under 1.5 x the budget: burn <= 1 stays quiet
MAX_THRESHOLD = 0.95  # a page's failure-ratio threshold stays under 1, which a total outage reaches
EVALUATION = 30  # seconds: groups without an interval (kube-prometheus-stack's evaluationInterval)
LONG_INTERVAL = "2m30s"  # groups of the long windows, the period and the constants (Pyrra's, 28-35d)


@dataclass(frozen=True)
class Pair:
    """A burn alert fires when the failure ratio over ``long`` and over ``short`` (at a
    30-day period) both exceed ``consumption x period / long`` times the budget."""

    alert: str
    consumption: float  # share of the period's budget spent within the long window
    long: str
    short: str


PAIRS: tuple[Pair, ...] = (
    Pair(conv.ALERT_BURN_FAST, 0.02, "1h", "5m"),  # 14.4: the first pair, the one that must page in time
    Pair(conv.ALERT_BURN_FAST, 0.05, "6h", "30m"),  # 6
    Pair(conv.ALERT_BURN_SLOW, 0.10, "1d", "2h"),  # 3
    Pair(conv.ALERT_BURN_SLOW, 0.15, "3d", "6h"),  # 1.5 (the workbook: 10 %, 1)
)


def duration(seconds: float) -> str:
    """``seconds`` (whole minutes) as a Prometheus duration: 90 -> "1m30s", 93600 -> "1d2h"."""
    out, left = "", int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            out += f"{left // size}{unit}"
            left %= size
    return out or "0s"


def period(days: int) -> str:
    """The period's window, as Sloth names it (slo:sli_error:ratio_rate30d)."""
    return f"{days}d"


def scaled(window: str, days: int) -> int:
    """Seconds of a 30-day window for a period of ``days``, rounded to the minute, at least MIN_WINDOW."""
    return max(MIN_WINDOW, round(durations.seconds(window) * days / REFERENCE_DAYS / 60) * 60)


def windows(days: int) -> tuple[str, ...]:
    """Every window recorded for the period, shortest first (30d: 5m 30m 1h 2h 6h 1d 3d)."""
    found = sorted({scaled(w, days) for pair in PAIRS for w in (pair.long, pair.short)})
    return tuple(duration(s) for s in found)


def fast_windows(days: int) -> tuple[str, ...]:
    """The windows the first page pair may read: recorded in the group evaluated every
    EVALUATION seconds (the others every LONG_INTERVAL)."""
    first = scaled(PAIRS[0].long, days)
    return tuple(w for w in windows(days) if durations.seconds(w) <= first)


@dataclass(frozen=True)
class Condition:
    """One pair as a service alerts on it: both windows above ``threshold`` (a failure ratio)."""

    alert: str
    long: str
    short: str
    threshold: float


@dataclass(frozen=True)
class Plan:
    """How a success SLO alerts: its conditions, in PAIRS order (pairs a total outage
    could never reach left out), and the seconds from a total outage to the page."""

    conditions: tuple[Condition, ...]
    time_to_page: float


def delays(interval: float, page_for: float) -> float:
    """Seconds between the outage and the page besides the window filling up: three
    scrape intervals (the failures scraped; prometheus_client's first increment, which
    rate() never sees; a sample late), the recording and the alerting evaluations, ``for``."""
    return 3 * interval + 2 * EVALUATION + page_for


def _detect(interval: float, page_for: float) -> float:
    """Seconds a window may take to fill up with failures for the page to come in time."""
    return PAGE_WITHIN - MARGIN - delays(interval, page_for)


def _exact(value: float) -> float:
    """``value`` as the rules write it (six significant digits, generate/slo.number)."""
    return float(format(value, ".6g"))


def _round_down(value: float) -> float:
    """Three significant digits, down: the threshold is reached no later."""
    scale = 10 ** (2 - math.floor(math.log10(value)))
    return math.floor(value * scale + 1e-9) / scale


def _first(budget: float, days: int, detect: float) -> Condition | None:
    """The first page pair with the longest window that pages a total outage within
    ``detect`` seconds at no less than MIN_FACTOR x budget (None: no window can)."""
    pair = PAIRS[0]
    long_s = scaled(pair.long, days)
    factor = pair.consumption * days * 86400 / long_s
    for window in reversed(fast_windows(days)):
        seconds = durations.seconds(window)
        threshold = _round_down(min(factor * budget, detect / seconds, MAX_THRESHOLD))
        if threshold >= MIN_FACTOR * budget * (1 - 1e-9):  # at the bound exactly, in float
            short = duration(min(scaled(pair.short, days), seconds))
            return Condition(pair.alert, window, short, threshold)
    return None


def plan(objective: float, days: int, interval: float, page_for: float) -> Plan | None:
    """The alerting of a success SLO of ``objective`` percent over ``days``, for a service
    scraped every ``interval`` seconds; None when no thresholds can both page a total
    outage within PAGE_WITHIN and stay quiet at MIN_FACTOR x budget or less."""
    budget = (100 - objective) / 100
    detect = _detect(interval, page_for)
    first = _first(budget, days, detect) if detect > 0 else None
    if first is None:
        return None
    rest = []
    for pair in PAIRS[1:]:
        long_s = scaled(pair.long, days)
        threshold = _exact(pair.consumption * days * 86400 / long_s * budget)
        if threshold < 1:  # above it, not even a total outage would fire
            rest.append(Condition(pair.alert, duration(long_s), duration(scaled(pair.short, days)), threshold))
    time_to_page = first.threshold * durations.seconds(first.long) + delays(interval, page_for)
    return Plan((first, *rest), time_to_page)


def lowest_objective(days: int, interval: float, page_for: float) -> float | None:
    """The lowest objective (percent, one decimal) ``plan`` accepts; None if none."""
    detect = _detect(interval, page_for)
    if detect <= 0:
        return None
    shortest = durations.seconds(fast_windows(days)[0])
    budget = min(detect / shortest, MAX_THRESHOLD) / MIN_FACTOR
    lowest = math.ceil((100 - 100 * budget) * 10) / 10
    while plan(lowest, days, interval, page_for) is None and lowest < 100:
        lowest = round(lowest + 0.1, 1)
    return lowest
