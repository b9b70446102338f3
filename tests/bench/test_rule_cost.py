"""The rule-cost benchmark runs end to end on a real Prometheus (its figures are
docs/performance.md's; here only that it measures both rule sets)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import needs_servers

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import rule_cost  # noqa: E402

pytestmark = needs_servers


def test_both_rule_sets_are_measured(tmp_path: Path) -> None:
    table = list(rule_cost.rows(2, 0.25))
    cells = {line.split(" | ")[0].strip("| "): line.split(" | ")[1:] for line in table[3:]}
    assert set(cells) == {"samples/min", "samples/cycle", "records", "alerts", "groups"}
    assert all(float(v.replace(",", "")) > 0 for v in (cells["samples/min"][0], cells["samples/min"][1]))


def test_the_sloth_rules_are_its_shape() -> None:
    """15 recorded series and 2 alerts per SLO in 3 groups, as Sloth v0.11.0 writes them."""
    groups = rule_cost.sloth_groups("ns", "svc")
    assert [len(g["rules"]) for g in groups] == [8, 7, 2]


@pytest.mark.parametrize("services", [3])
def test_only_what_a_rule_reads_over_a_range_gets_recorded_history(services: int) -> None:
    ranged = rule_cost._ranged_records(rule_cost.sloth_rules(services))
    assert ranged == {"slo:sli_error:ratio_rate5m": 30 * 86400}
