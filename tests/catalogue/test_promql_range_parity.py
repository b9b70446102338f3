"""PromQL parity with Prometheus 2.51 beyond the parser (promql_limits.py): durations within
int64 nanoseconds, @ timestamps below 2^63, label names that functions create."""

from __future__ import annotations

import pytest

from opsgen.catalogue import promql
from tests import prom_tools
from tests.support import attack_corpus


@pytest.mark.parametrize("expr", attack_corpus.PROMQL_REFUSED + attack_corpus.PROMQL_FAILS_EVERY_EVALUATION)
def test_what_prometheus_refuses_is_refused(expr):
    assert promql.parse(expr).error


@pytest.mark.parametrize("expr", attack_corpus.PROMQL_ACCEPTED)
def test_what_prometheus_accepts_passes(expr):
    assert promql.parse(expr).error is None


def test_the_message_names_the_duration():
    assert (
        "the range (300.00 years) is longer than Prometheus' longest duration" in promql.parse("rate(up[300y])").error
    )
    assert "subquery step" in promql.parse("up[5m:300y]").error
    assert promql.parse("up offset 300y").error.startswith("offset (300.00 years)")


@prom_tools.needs_promtool
def test_promtool_accepts_every_accepted_expression_and_refuses_the_refused(tmp_path):
    def promtool_ok(expr: str) -> bool:
        rule_file = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": expr}]}]}
        return prom_tools.check_rules(rule_file, tmp_path).returncode == 0

    assert [e for e in attack_corpus.PROMQL_ACCEPTED if not promtool_ok(e)] == []
    assert [e for e in attack_corpus.PROMQL_REFUSED if promtool_ok(e)] == []
