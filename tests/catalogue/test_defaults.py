"""Defaults are read from the schema, and the model's dataclasses take theirs from it."""

from __future__ import annotations

from opsgen.catalogue import model
from opsgen.catalogue.defaults import default


def test_the_default_of_one_field() -> None:
    assert default("services", "metrics", "path") == "/metrics"
    assert default("services", "scaling", "minReplicas") == 1
    assert default("platform", "metrics", "requests") == "agent_tasks_total"
    assert default("environments", "*", "maxSeverity") == "page"
    assert default("alerts", "for") == "0s"


def test_the_model_takes_its_defaults_from_the_schema() -> None:
    assert model.Metrics("http").interval == default("services", "metrics", "interval")
    assert model.Platform("p").release == default("platform", "prometheus", "release")
