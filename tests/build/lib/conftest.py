"""Construct tests: build one construct in a cdk8s Chart and read it back with chart.to_json()."""
from __future__ import annotations

import pytest


@pytest.fixture
def chart():
    from cdk8s import App, Chart

    return Chart(App(), "test", disable_resource_name_hashes=True)


def synth(chart) -> list[dict]:
    return chart.to_json()


def one(chart) -> dict:
    (doc,) = chart.to_json()
    return doc
