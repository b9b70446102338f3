"""catalogue/burn.py: the windows a period records, the pairs' thresholds per objective,
the time a total outage takes to page, and the doc's table kept equal to them."""

from __future__ import annotations

import pytest

from opsgen.catalogue import burn
from tests.support import slo_table

PAGE_FOR = 120.0  # ErrorBudgetBurnFast's for


def test_the_workbook_windows_at_thirty_days():
    assert burn.windows(30) == ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
    assert burn.fast_windows(30) == ("5m", "30m", "1h")
    assert burn.period(30) == "30d"


def test_windows_scale_with_the_period_and_never_go_under_five_minutes():
    assert burn.windows(28) == ("5m", "28m", "56m", "1h52m", "5h36m", "22h24m", "2d19h12m")
    assert burn.windows(90) == ("15m", "1h30m", "3h", "6h", "18h", "3d", "9d")
    assert burn.windows(1) == ("5m", "12m", "48m", "2h24m")


def test_the_workbook_factors_where_they_page_in_time():
    plan = burn.plan(99.9, 30, 30, PAGE_FOR)
    assert [(c.long, c.short, c.threshold) for c in plan.conditions] == [
        ("1h", "5m", 0.0144),
        ("6h", "30m", 0.006),
        ("1d", "2h", 0.003),
        ("3d", "6h", 0.0015),
    ]


@pytest.mark.parametrize("objective", [99.99, 99.9, 99.5, 99, 98, 95, 93, 90, 85, 80, 70, 60, 50, 40])
@pytest.mark.parametrize("days, interval", [(30, 30), (28, 15), (7, 60), (90, 30), (1, 30)])
def test_every_accepted_objective_pages_in_time_and_never_at_burn_one_and_a_half(objective, days, interval):
    plan = burn.plan(objective, days, interval, PAGE_FOR)
    if plan is None:
        assert objective < burn.lowest_objective(days, interval, PAGE_FOR)
        return
    budget = (100 - objective) / 100
    assert plan.time_to_page <= burn.PAGE_WITHIN - burn.MARGIN
    for condition in plan.conditions:
        assert burn.MIN_FACTOR * budget * (1 - 1e-9) <= condition.threshold < 1


def test_the_lowest_objective_is_refused_just_below():
    lowest = burn.lowest_objective(30, 30, PAGE_FOR)
    assert lowest == 40
    assert burn.plan(lowest, 30, 30, PAGE_FOR) is not None
    assert burn.plan(lowest - 0.1, 30, 30, PAGE_FOR) is None


def test_the_doc_table_is_current():
    text = slo_table.DOC.read_text(encoding="utf-8")
    assert slo_table.section(text) == text, "run `make docs` (python -m tests.support.slo_table)"
