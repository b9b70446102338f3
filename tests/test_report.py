"""--format github (workflow-command annotations) and --format json (a list of findings)."""

from __future__ import annotations

import json

import pytest

from opsgen import report
from opsgen.errors import Location, Problem


def test_github_annotation_with_a_position():
    found = report.Finding("services.yaml", 11, 7, "scaling.maxReplicas (0) must be >= scaling.minReplicas (1)")
    assert report.github_command(found) == (
        "::error file=services.yaml,line=11,col=7::scaling.maxReplicas (0) must be >= scaling.minReplicas (1)"
    )


def test_github_escapes_as_the_actions_toolkit_does():
    found = report.Finding("a,b:c%.yaml", 1, 2, "100% sure\r\nnext: line, really", "warning")
    assert (
        report.github_command(found)
        == "::warning file=a%2Cb%3Ac%25.yaml,line=1,col=2::100%25 sure%0D%0Anext: line, really"
    )


def test_github_leaves_out_what_is_unknown():
    assert (
        report.github_command(report.at_file("dist/a.yaml", "changed", "notice"))
        == "::notice file=dist/a.yaml::changed"
    )
    assert report.github_command(report.at_file("", "no file")) == "::error::no file"


def test_json_is_a_list_of_findings():
    problems = [Problem(Location("services.yaml", 3, 5), "unknown key 'scalling'")]
    data = json.loads(report.render(report.from_problems(problems), report.JSON))
    assert data == [
        {"file": "services.yaml", "line": 3, "col": 5, "message": "unknown key 'scalling'", "severity": "error"}
    ]
    assert json.loads(report.render([], report.JSON)) == []


def test_a_problem_about_a_whole_file_keeps_its_file_and_no_position():
    whole = Problem(Location("helmfile.yaml", 0, 0), "no environment 'qa'")
    assert report.from_problems([whole]) == [report.at_file("helmfile.yaml", "no environment 'qa'")]
    assert str(whole) == "helmfile.yaml: no environment 'qa'"


def test_severity_is_checked():
    with pytest.raises(ValueError, match="severity"):
        report.Finding("f", 1, 1, "m", "fatal")
