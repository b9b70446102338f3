"""opsgen's template check accepts exactly what Go's text/template parser (Prometheus,
promtool) accepts, on issue 21's corpus; plus opsgen's own refusals and cost bound."""

from __future__ import annotations

import pytest

from opsgen.catalogue import templates
from tests import prom_tools
from tests.support import attack_corpus


@pytest.mark.parametrize("text", attack_corpus.GO_ACCEPTS)
def test_what_go_accepts_passes(text):
    assert templates.problems(text) == []


@pytest.mark.parametrize("text", attack_corpus.GO_REFUSES + attack_corpus.OPSGEN_REFUSES)
def test_what_go_refuses_is_refused(text):
    assert templates.problems(text)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("{{ 1 | 2 }}", "non executable command in pipeline stage 2"),
        ("{{ 08 }}", "a leading 0 makes it octal"),
        ("{{ 'ab' }}", "malformed character constant"),
        ('{{ "\\q" }}', "invalid syntax"),
        ("{{ if true }}a{{ else }}b{{ else }}c{{ end }}", "found a second '{{ else }}'"),
        ("{{ range $a, $b, $c := $labels }}{{ end }}", "too many declarations in range"),
        ("{{ with $x := $labels }}{{ end }}{{ $x }}", "unknown variable '$x'"),
        ("{{ with $labels }}a{{ else with $value }}b{{ end }}", "unexpected 'with' in else"),
        ("{{ range $labels }}a{{ else if true }}b{{ end }}", "unexpected 'if' in input"),
        ("{{ /* c */ }}", "unexpected '/' in command"),
    ],
)
def test_the_issues_cases_say_why(text, reason):
    (problem,) = templates.problems(text)
    assert reason in problem


def test_nested_ranges_are_bounded():
    """k nested ranges over $labels cost labels^k per evaluation (k = 10: 60 MB, 26 s)."""
    two = "{{ range $labels }}{{ range $labels }}x{{ end }}{{ end }}"
    assert templates.problems(two) == []
    three = "{{ range $labels }}" + two + "{{ end }}"
    (problem,) = templates.problems(three)
    assert f"nested more than {templates.MAX_RANGE_DEPTH} deep" in problem
    sequential = two * 20  # ranges after one another cost their sum: fine
    assert templates.problems(sequential) == []


def test_deep_nesting_is_refused_without_recursion_error():
    assert templates.problems("{{ print " + "(" * 5000 + "1" + ")" * 5000 + " }}")
    assert templates.problems("{{ if true }}" * 5000 + "{{ end }}" * 5000)


@prom_tools.needs_promtool
def test_promtool_agrees_on_the_corpus(tmp_path):
    """Every template of the corpus, one rule file each: promtool's verdict is opsgen's."""
    disagree = []
    for text, accepted in [(t, True) for t in attack_corpus.GO_ACCEPTS] + [
        (t, False) for t in attack_corpus.GO_REFUSES
    ]:
        rule_file = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "annotations": {"d": text}}]}]}
        if (prom_tools.check_rules(rule_file, tmp_path).returncode == 0) != accepted:
            disagree.append(text)
    assert disagree == []
