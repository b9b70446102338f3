"""The rule-cost benchmark's pieces (bench/rule_cost.py): Sloth's rules as data are what
Sloth writes per SLO (15 records, 2 alerts) and parse; opsgen's records stay within 1.5x;
one small run on the real Prometheus reads fewer samples than Sloth's rules."""
from __future__ import annotations

import sys
from pathlib import Path

import promql_parser

from tests.e2e.conftest import needs_servers

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import rule_cost  # noqa: E402


def test_sloth_rules_are_sloths_per_slo_and_parse():
    rules = rule_cost.sloth_rules(2)
    assert sum(1 for _, record, _ in rules if record) == 2 * 15
    assert sum(1 for _, record, _ in rules if record is None) == 2 * 2
    for expr, _, _ in rules:
        promql_parser.parse(expr)


def test_opsgen_records_at_most_one_and_a_half_times_sloths(tmp_path):
    rules = rule_cost.opsgen_rules(4, tmp_path)
    assert sum(1 for _, record, _ in rules if record) / 4 <= 1.5 * 15


@needs_servers
def test_a_small_run_reads_fewer_samples_than_sloth(capsys):
    rule_cost.main(["--services", "2", "--days", "0.5"])
    lines = capsys.readouterr().out.splitlines()
    ratio = float(lines[-1].split("|")[2].strip().rstrip("x"))
    assert ratio <= 0.5
