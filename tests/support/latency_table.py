"""The table of docs/alerts.md "Latency SLO": objective -> page and ticket thresholds ->
time to page on a total breach, rendered from catalogue/burn_policy.py (the test keeps
the doc equal to it; ``python -m tests.support.latency_table`` rewrites it)."""
from __future__ import annotations

import re
from pathlib import Path

from opsgen import conventions as conv
from opsgen.catalogue import burn_policy
from opsgen.catalogue import generated_alerts as table

DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts.md"
OBJECTIVES = (90.1, 95, 99, 99.5, 99.9, 99.95, 99.99)
BLOCK = re.compile(r"(<!-- latency-table:[^\n]*-->\n)(.*?)(<!-- /latency-table -->)", re.S)


def _pairs(pairs) -> str:
    return ", ".join(f"> {limit:.4g} over {burn.long} and {burn.short}" for burn, limit in pairs) or "none"


def render() -> str:
    page_for = table.BY_NAME[conv.ALERT_LATENCY_BURN_FAST].for_
    lines = [
        "| objective | budget | page (`LatencyBudgetBurnFast`, for 2m) | ticket (`LatencyBudgetBurnSlow`, for 15m) | total breach pages after |",
        "|---|---|---|---|---|",
    ]
    for objective in OBJECTIVES:
        budget = (100 - objective) / 100
        page = burn_policy.thresholds(burn_policy.PAGE_BURNS, budget, page_for)
        ticket = burn_policy.thresholds(burn_policy.TICKET_BURNS, budget)
        minutes = burn_policy.time_to_page(burn_policy.PAGE_BURNS, budget, page_for) / 60
        lines.append(f"| {objective:g} % | {budget:.4g} | {_pairs(page)} | {_pairs(ticket)} | {minutes:.1f} min (margin included) |")
    lines.append(f"| ≤ {burn_policy.lowest_objective(burn_policy.PAGE_BURNS, page_for):g} % | | refused by `validate` | | never |")
    return "\n".join(lines) + "\n"


def documented() -> str:
    match = BLOCK.search(DOC.read_text(encoding="utf-8"))
    return match.group(2) if match else ""


def write() -> None:
    text = DOC.read_text(encoding="utf-8")
    DOC.write_text(BLOCK.sub(lambda m: m.group(1) + render() + m.group(3), text), encoding="utf-8")


if __name__ == "__main__":
    write()
