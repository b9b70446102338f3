"""opsgen.catalogue.promql: parsing, known metrics, exposition files."""

from __future__ import annotations

import re

import promql_parser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsgen import pipeline
from opsgen.catalogue import load, model, promql
from opsgen.catalogue.exporters import EXPORTERS, WELL_KNOWN
from opsgen.errors import Location
from opsgen.generate import alerting
from tests.conftest import VALID

EXPOSITION = """\
# HELP orch_stage_total Loops that reached a stage.
# TYPE orch_stage_total counter
orch_stage_total{stage="done"} 3
orch_stage_total{stage="regress"} 1
# TYPE orch_loop_seconds histogram
orch_loop_seconds_bucket{le="1.0"} 1
orch_loop_seconds_bucket{le="+Inf"} 2
orch_loop_seconds_sum 3
orch_loop_seconds_count 2
# TYPE agent_tasks_total counter
agent_tasks_total{outcome="success"} 1
"""


@pytest.fixture
def known(write_catalogue):
    path = write_catalogue(
        VALID.replace("metrics: {port: http}", "metrics: {port: http, exposition: orch.prom, exports: [my_gauge]}", 1)
    )
    (path.parent / "orch.prom").write_text(EXPOSITION, encoding="utf-8")
    catalogue = pipeline.load_valid(str(path))
    return promql.known_metrics(catalogue, str(path.parent))


def test_fine_expression_has_no_messages(known):
    expr = 'sum(rate(orch_stage_total{stage="regress", namespace="x"}[5m])) / sum(rate(agent_tasks_total[5m])) > 0.1'
    assert promql.check_expr(expr, known, "alerts[0].expr") == []


def test_parse_error_is_reported_with_the_parser_reason(known):
    assert promql.check_expr("sum(rate(up[5m])", known, "alerts[3].expr") == [
        "alerts[3].expr: cannot parse PromQL: unclosed left parenthesis"
    ]


def test_unknown_metric_suggests_the_closest_known_one(known):
    assert promql.check_expr("rate(orch_stage_totl[5m]) > 0", known, "alerts[0].expr") == [
        "alerts[0].expr: unknown metric 'orch_stage_totl'; did you mean 'orch_stage_total'?"
    ]


def test_unknown_metric_without_a_close_one_says_how_to_declare_it(known):
    assert promql.check_expr("zzz_qqq > 0", known, "alerts[1].expr") == [
        "alerts[1].expr: unknown metric 'zzz_qqq'; declare it in the exporting service's metrics.exports or metrics.exposition"
    ]


def test_every_source_of_known_metrics(known):
    convention = {"agent_tasks_total", "agent_task_duration_seconds_bucket", "ci_build_duration_seconds_count"}
    exposed = {"orch_stage_total", "orch_loop_seconds_bucket", "orch_loop_seconds_sum"}
    recorded = {"slo:sli_error:ratio_rate5m", "slo:sli_error:ratio_rate3d", "opsgen:hpa_info", "slo:objective:ratio"}
    assert (
        convention | exposed | recorded | {"my_gauge", "up", "kafka_consumergroup_lag", "keda_scaler_errors"}
        <= known.names
    )


def test_counter_keeps_its_total_suffix_and_histograms_have_no_base_series(known):
    assert "orch_stage_total" in known.names and "orch_stage" not in known.names
    assert "orch_loop_seconds" not in known.names


def test_labels_of_exposed_metrics_are_checked(known):
    assert promql.check_expr('orch_stage_total{stag="done"}', known, "alerts[0].expr") == [
        "alerts[0].expr: metric 'orch_stage_total' has no label 'stag'; did you mean 'stage'?"
    ]


def test_target_labels_are_always_allowed_on_exposed_metrics(known):
    expr = 'orch_stage_total{namespace="a", service="b", pod="c", instance="d", job="e"}'
    assert promql.check_expr(expr, known, "x") == []


def test_labels_are_not_checked_when_another_source_also_declares_the_metric(known):
    # agent_tasks_total is a platform convention: other services may carry other labels
    assert promql.check_expr('agent_tasks_total{anything="x"}', known, "x") == []


def test_name_given_as_matcher_is_checked(known):
    assert promql.check_expr('{__name__="nope_metric"}', known, "x") == [
        "x: unknown metric 'nope_metric'" + promql.UNKNOWN_HINT
    ]
    assert promql.check_expr('{__name__=~"nope.*"}', known, "x") == []  # a regex names no metric


def metric_names(expr: str) -> set[str]:
    """Every metric name ``expr`` selects by name; ValueError when it does not parse."""
    parsed = promql.parse(expr)
    if parsed.error is not None:
        raise ValueError(parsed.error)
    return {s.metric for s in parsed.selectors if s.metric}


def test_metric_names():
    assert metric_names('a + on() b{c="d"} / {__name__="e"} or absent(f) or vector(1)') == {"a", "b", "e", "f"}
    with pytest.raises(ValueError, match="unclosed left parenthesis"):
        metric_names("sum(a")


def test_parses_are_cached():
    promql.parse.cache_clear()
    for _ in range(3):
        promql.parse("up == 0")
    info = promql.parse.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_missing_exposition_file_is_located_at_its_key(write_catalogue):
    text = VALID.replace("metrics: {port: http}", "metrics:\n      port: http\n      exposition: missing.prom", 1)
    path = write_catalogue(text)
    known = promql.known_metrics(model.build(load.load_file(str(path))), str(path.parent))
    (problem,) = known.problems
    assert problem.location == Location(str(path), 11, 7)  # the exposition key
    assert problem.message == "metrics.exposition: cannot read 'missing.prom': No such file or directory"


def test_unparsable_exposition_file(write_catalogue, tmp_path):
    path = write_catalogue(VALID.replace("metrics: {port: http}", "metrics: {port: http, exposition: bad.prom}", 1))
    (tmp_path / "bad.prom").write_text("# TYPE a counter\na_total 1\norch_stage_total{ 1\n", encoding="utf-8")
    known = promql.known_metrics(model.build(load.load_file(str(path))), str(tmp_path))
    (problem,) = known.problems
    assert problem.message == "metrics.exposition: 'bad.prom' is not in the Prometheus text format (line 3)"


def test_exporter_lists_are_sorted_and_disjoint():
    for exporter, names in EXPORTERS.items():
        assert list(names) == sorted(names), exporter
    assert len(WELL_KNOWN) == sum(len(n) for n in EXPORTERS.values())


@pytest.mark.parametrize(
    "expr, kind", [("up[5m]", "a range vector"), ("(rate(up[5m])[30m:1m])", "a range vector"), ('"text"', "a string")]
)
def test_result_must_be_an_instant_vector_or_scalar(known, expr, kind):
    assert promql.check_expr(expr, known, "alerts[0].expr") == [
        f"alerts[0].expr: the result is {kind}; it must be an instant vector or a scalar"
    ]


def test_scalar_results_are_fine(known):
    assert promql.check_expr("scalar(sum(up))", known, "x") == []
    assert promql.check_expr("(1)", known, "x") == []


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_label_value_is_quoted_so_promql_reads_it_back(value):
    """Catalogue strings (failureOutcome, topics, consumer groups) end up in matchers."""
    tree = promql_parser.parse(alerting.selector("m", {"l": value}))
    (matcher,) = tree.matchers.matchers
    assert (matcher.name, matcher.value) == ("l", value)


# The shape as first written: (!?=) then a template; promql.shape must agree with it.
_REFERENCE_SHAPE = re.compile(r'(?<![=!~])(!?=)\s*"(?:[^"\\]|\\.)*"')


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["=", "!=", "=~", "!~", "==", "~", "!", '"', "\\", " ", "a", "{", "}", ",", '"x"', '"a\\"b"']),
        max_size=24,
    )
)
def test_shape_empties_exactly_the_strings_after_equality_matchers(pieces: list[str]) -> None:
    expr = "".join(pieces)
    assert promql.shape(expr) == _REFERENCE_SHAPE.sub(r'\1""', expr)
