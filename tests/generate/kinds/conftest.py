"""Construct tests: build one construct in a cdk8s Chart and read it back with lib.synth (cdk8s's Chart.toJson)."""

from __future__ import annotations

import pytest

from tests.support.chart import new_chart, synth


@pytest.fixture
def chart():
    return new_chart()


def one(chart) -> dict:
    (doc,) = synth(chart)
    return doc
