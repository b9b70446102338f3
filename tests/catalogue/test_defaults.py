"""Defaults are applied from the schema, and the model's dataclasses take theirs from it."""

from __future__ import annotations

from opsgen.catalogue import schema
from opsgen.catalogue.defaults import apply_defaults, default


def test_present_mappings_get_their_fields_defaults_and_absent_ones_stay_absent() -> None:
    data = {"platform": {"name": "x"}, "services": [{"name": "a", "metrics": {"port": "http"}}]}
    filled = apply_defaults(data, schema.CATALOGUE)
    service = filled["services"][0]
    assert service["metrics"] == {
        "port": "http",
        "path": "/metrics",
        "interval": "30s",
        "monitor": "service",
        "exports": [],
    }
    assert service["role"] == "service" and "scaling" not in service
    assert data == {"platform": {"name": "x"}, "services": [{"name": "a", "metrics": {"port": "http"}}]}  # not modified


def test_a_written_value_wins_and_alerts_through_a_reference_get_theirs() -> None:
    data = {
        "platform": {"name": "x"},
        "alerts": [{"name": "A", "expr": "up", "severity": "warn", "summary": "s"}],
        "services": [{"name": "a", "metrics": {"port": "http", "interval": "15s"}}],
    }
    filled = apply_defaults(data, schema.CATALOGUE)
    assert filled["services"][0]["metrics"]["interval"] == "15s"
    assert filled["alerts"][0]["for"] == "0s"


def test_the_default_of_one_field() -> None:
    assert default("services", "metrics", "path") == "/metrics"
    assert default("services", "scaling", "minReplicas") == 1
    assert default("platform", "metrics", "requests") == "agent_tasks_total"
