"""Values that look valid but crashed opsgen or reached the output wrongly (issue 14):
explicit tags, huge and non-finite numbers, floats where integers belong, patterns
that accepted a trailing newline, int32 and duration bounds, reserved label names."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from opsgen.catalogue import load, schema, validate
from opsgen.errors import CatalogueError
from tests.conftest import VALID


def problems(text: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(textwrap.dedent(text), "services.yaml"))
    return [str(p) for p in caught.value.problems]


def with_value(path: tuple, value: str) -> str:
    """VALID with the YAML text ``value`` written at ``path``."""
    data = yaml.safe_load(VALID)
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "@@"
    return yaml.safe_dump(data, sort_keys=False).replace("'@@'", value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("!!int 'abc'", "this is not an integer"),
        ("!!float 'abc'", "this is not a number"),
        ("!!bool 'abc'", "this is not true or false"),
        ("9" * 5000, "this is not an integer (at most 4300 digits)"),
        ("!!map 'abc'", "the tag '!!map' does not fit this value"),
        ("!!seq abc", "the tag '!!seq' does not fit this value"),
        ("!!str {a: 1}", "the tag '!!str' does not fit this value"),
        (".nan", "numbers must be finite"),
        ("-.inf", "numbers must be finite"),
        ("!!float .inf", "numbers must be finite"),
    ],
)
def test_scalars_their_tag_cannot_hold_are_located_errors(text, message):
    with pytest.raises(CatalogueError) as caught:
        load.load_text(f"platform:\n  name: {text}\n", "services.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith("services.yaml:2:9: " + message)
    assert "9999999999" not in str(problem)  # the value is never echoed


def test_success_rate_nan_no_longer_disables_paging():
    found = problems(with_value(("services", 0, "slo"), "{successRate: .nan}"))
    assert any("numbers must be finite" in p for p in found), found


@pytest.mark.parametrize("field", ["maxReplicas", "minReplicas"])
def test_replicas_written_as_float_are_refused_with_a_hint(field):
    found = problems(with_value(("services", 1, "scaling", field), "7.0"))
    assert len(found) == 1 and found[0].endswith(
        f"scaling.{field} must be a whole number, written without a decimal point (not 7.0)"
    ), found


@pytest.mark.parametrize(
    "path",
    [
        ("services", 1, "scaling", "maxReplicas"),
        ("services", 0, "scaling", "kafka", "lagThreshold"),
        ("services", 0, "scaling", "kafka", "activationLagThreshold"),
    ],
)
def test_int32_fields_have_a_maximum(path):
    assert any("must be <= 2147483647" in p for p in problems(with_value(path, "2147483648"))), path
    text = with_value(path, "2147483647")
    if path[-1] != "maxReplicas":
        validate.validate(load.load_text(text, "services.yaml"))


@pytest.mark.parametrize("duration", ["2147483648s", "100y", "9" * 30 + "s", "69y"])
def test_durations_are_bounded(duration):
    found = problems(with_value(("services", 0, "scaling", "pollingInterval"), duration))
    assert any("must be at most 2147483647 seconds" in p for p in found), found


def test_label_names_starting_with_two_underscores_are_reserved():
    text = VALID + "alerts:\n  - {name: A, expr: up == 0, severity: warn, summary: s, labels: {__name__: x}}\n"
    assert any("not starting with a digit or '__'" in p for p in problems(text))


@pytest.mark.parametrize("release", ["'has space'", "x" * 64, "'-dash'", "'a/b'"])
def test_release_must_be_a_kubernetes_label_value(release):
    found = problems(VALID.replace("  name: demo\n", f"  name: demo\n  prometheus: {{release: {release}}}\n", 1))
    assert any("platform.prometheus.release" in p and "Kubernetes label value" in p for p in found), found


# --- every pattern is a full match ---------------------------------------------


def schema_patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node["pattern"]
        for value in node.values():
            yield from schema_patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from schema_patterns(value)


PATTERNS = sorted(set(schema_patterns(schema.catalogue_schema())))


def test_the_schema_has_patterns():
    assert len(PATTERNS) >= 6


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_no_pattern_accepts_a_trailing_newline(pattern, data):
    checker = validate.Validator({"type": "string", "pattern": pattern})
    value = data.draw(st.from_regex(pattern.replace("(?!__)", ""), fullmatch=True).filter(checker.is_valid))
    for suffix in ("\n", "\r\n", "\n\n"):
        assert not checker.is_valid(value + suffix), (pattern, value)


def test_namespace_with_a_trailing_newline_is_refused():
    found = problems(with_value(("services", 0, "namespace"), '"pipeline\\n"'))
    assert any("namespace" in p and "DNS-1123" in p for p in found), found


def test_durations_module_matches_whole_text():
    from opsgen import durations

    assert not durations.is_duration("30s\n")
    with pytest.raises(ValueError):
        durations.seconds("30s\n")
