"""The burn-rate windows and factors of the SLOs, and the thresholds they give a budget.

Google SRE workbook (chapter 5, "Alerting on SLOs"), as Sloth and Pyrra implement it for
a 30-day period: an alert needs a long *and* a short window above ``factor x budget``
(the short one makes it stop soon after the burn stops):

- fast burn (page): 14.4x over 1h and 5m (2% of the budget in 1h), or 6x over 6h and 30m;
- slow burn (a ticket): 3x over 1d and 2h (10% in 1d), or 1x over 3d and 6h.

Here, not in generate/, because validation refuses the objectives these thresholds
cannot page for (catalogue/latency_checks.py) and the generated rules use them: one
table for both. ``BURNS`` is keyed by the success SLO's alert names; the latency SLO's
burn alerts read the same pairs (generate/latency.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from opsgen import conventions as conv
from opsgen import durations

PAGE_WITHIN = "10m"  # a total outage must page within this of its start
# what a page takes besides the ratio crossing its threshold: a scrape of the first slow
# requests (30s by default) and a rule evaluation (1m), rounded up
DETECTION_MARGIN = "2m"
# thresholds sit this much (relative) above the budget: a ratio of counters at exactly the
# budget computes a few ulps above it (9.9 of 100 requests slow against 99.01%: 0.09900000000000006)
BUDGET_SLACK = 1e-6


@dataclass(frozen=True)
class Burn:
    """Alert when the error ratio over ``long`` and over ``short`` both exceed ``factor`` x budget."""

    factor: float
    long: str
    short: str


BURNS: dict[str, tuple[Burn, ...]] = {
    conv.ALERT_BURN_FAST: (Burn(14.4, "1h", "5m"), Burn(6, "6h", "30m")),
    conv.ALERT_BURN_SLOW: (Burn(3, "1d", "2h"), Burn(1, "3d", "6h")),
}
PAGE_BURNS = BURNS[conv.ALERT_BURN_FAST]
TICKET_BURNS = BURNS[conv.ALERT_BURN_SLOW]


def reach(burn: Burn, for_: str) -> float:
    """The highest threshold of ``burn``'s long window that a total outage (error ratio 1
    from one moment on: the long window's ratio grows as elapsed / long) crosses early
    enough to page within PAGE_WITHIN, the alert's ``for`` and the margin included."""
    left = durations.seconds(PAGE_WITHIN) - durations.seconds(for_) - durations.seconds(DETECTION_MARGIN)
    return left / durations.seconds(burn.long)


def thresholds(burns: tuple[Burn, ...], budget: float, page_for: str | None = None) -> tuple[tuple[Burn, float], ...]:
    """(pair, error-ratio threshold) of each pair that can fire: ``factor x budget``; for
    a page (``page_for``: its ``for``), the first pair's is lowered to what a total outage
    reaches in time (low objectives: 14.4 x 5% = 0.72 of the 1h window takes 43 minutes).
    Every threshold stays above the budget, by BUDGET_SLACK (a burn rate of 1 or less never
    alerts), and pairs whose threshold is 1 or more (never reached) are left out."""
    out = []
    floor = budget * (1 + BUDGET_SLACK)
    for index, burn in enumerate(burns):
        limit = max(burn.factor * budget, floor)
        if page_for is not None and index == 0:
            limit = max(min(limit, reach(burn, page_for)), floor)
        if limit < 1:
            out.append((burn, limit))
    return tuple(out)


def time_to_page(burns: tuple[Burn, ...], budget: float, page_for: str) -> float | None:
    """Seconds from the start of a total outage to the page, margin included (None: never)."""
    times = [limit * durations.seconds(b.long) for b, limit in thresholds(burns, budget, page_for)]
    if not times:
        return None
    return min(times) + durations.seconds(page_for) + durations.seconds(DETECTION_MARGIN)


def lowest_objective(burns: tuple[Burn, ...], page_for: str) -> float:
    """The objective (percent) an SLO must be above for its page to reach a total outage
    in time while a burn rate of 1 stays quiet: its budget must be below the first pair's reach."""
    return 100 * (1 - reach(burns[0], page_for))


def suggested_objective(burns: tuple[Burn, ...], page_for: str) -> str:
    """The lowest objective with one decimal that pages in time, for error messages."""
    return format(math.floor(lowest_objective(burns, page_for) * 10 + 1) / 10, "g")
