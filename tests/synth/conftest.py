"""Engine tests build into an empty chart of their own."""

from __future__ import annotations

import pytest

from tests.support.chart import new_chart


@pytest.fixture
def chart():
    return new_chart()
