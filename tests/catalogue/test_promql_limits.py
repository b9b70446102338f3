"""PromQL the pinned Prometheus (2.51) cannot run, and PromQL too deep for the parser (issue 14)."""

from __future__ import annotations

import pytest

from opsgen.catalogue import promql
from tests.conftest import VALID

NEWER = [
    'sort_by_label(up, "job")',
    'sort_by_label_desc(up, "job")',
    "mad_over_time(up[5m])",
    "limitk(1, up)",
    "limit_ratio(0.5, up)",
    "info(up)",
    "double_exponential_smoothing(up[5m], 0.5, 0.5)",
]


@pytest.mark.parametrize("expr", NEWER)
def test_functions_newer_than_prometheus_2_51_are_errors(expr):
    error = promql.parse(expr).error
    assert error is not None and "is not available in Prometheus 2.51" in error, error


@pytest.mark.parametrize(
    "expr",
    [
        "sum by (job) (rate(up[5m]))",
        "histogram_quantile(0.9, rate(x_bucket[5m]))",
        "topk(3, up)",
        'count_values("v", up)',
        "quantile(0.5, up)",
        'label_replace(up, "a", "$1", "b", "(.*)")',
        "clamp(up, 0, 1)",
        "absent_over_time(up[5m])",
    ],
)
def test_functions_of_prometheus_2_51_are_fine(expr):
    assert promql.parse(expr).error is None


SHAPES = {
    "parentheses": lambda n: "(" * n + "up" + ")" * n,
    "unary minus": lambda n: "-" * n + "up",
    "nested calls": lambda n: "abs(" * n + "up" + ")" * n,
    "chained plus": lambda n: "1" + "+1" * n,
    "mixed": lambda n: "(-" * n + "up" + ")" * n,
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("depth", [promql.MAX_PROMQL_DEPTH + 1, 1_000, 10_000, 100_000])
def test_over_deep_expressions_are_refused_before_the_parser(shape, depth):
    """10,000 levels crashed the Rust parser (SIGSEGV), 1,000 took seconds and GBs."""
    expr = SHAPES[shape](depth)
    for error in (promql.parse(expr).error, promql.syntax_error(expr)):
        assert error is not None and "nested or chained too deeply" in error


@pytest.mark.parametrize("shape", SHAPES)
def test_depth_up_to_the_bound_parses(shape):
    expr = SHAPES[shape](promql.MAX_PROMQL_DEPTH // 2)
    assert promql.parse(expr).error is None


def test_brackets_inside_strings_do_not_count():
    assert promql.parse('up{job="' + "(" * 10_000 + '"}').error is None


def test_an_over_deep_alert_is_a_located_error(tmp_path, run):
    catalogue = tmp_path / "services.yaml"
    expr = "(" * 10_000 + "up" + ")" * 10_000
    catalogue.write_text(
        VALID + f"alerts:\n  - {{name: Deep, expr: '{expr}', severity: warn, summary: s}}\n", encoding="utf-8"
    )
    code, out, err = run("validate", "-c", catalogue)
    assert code == 3
    assert (
        f"{catalogue}:22:24: alerts[0].expr: cannot parse PromQL: the expression is nested or chained too deeply" in err
    )
