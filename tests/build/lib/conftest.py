"""Construct tests: build one construct in a cdk8s Chart and read it back with lib.synth (cdk8s's Chart.toJson)."""
from __future__ import annotations

import pytest

from opsgen.build.lib import synth


@pytest.fixture
def chart():
    from cdk8s import App, Chart

    return Chart(App(), "test", disable_resource_name_hashes=True)


def one(chart) -> dict:
    (doc,) = synth(chart)
    return doc
