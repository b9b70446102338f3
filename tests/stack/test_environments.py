"""Each environment's values are checked, located at the value: the keys the
environment templates read, and a Prometheus that keeps the SLO period."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from tests.support import helm_values
from tests.test_stack import catalogue, root  # noqa: F401  (root: fixture)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_wrong_value_in_prod_fails_at_its_line(root: Path) -> None:  # noqa: F811
    _replace(root / "environments/prod.yaml", "replicas: 2", "replicas: two")
    problems = helm_values.stack_problems(catalogue(), root)
    line = next(
        i for i, t in enumerate((root / "environments/prod.yaml").read_text().splitlines(), 1) if "replicas: two" in t
    )
    assert problems == [
        f"environments/prod.yaml:{line}:13: environment 'prod': prometheus.replicas is \"two\"; "
        "it must be a whole number of at least 1"
    ]


def test_a_missing_key_is_named_with_its_environment(root: Path) -> None:  # noqa: F811
    _replace(root / "environments/staging.yaml", "memoryLimit:", "memoryLimits:")
    problems = helm_values.stack_problems(catalogue(), root)
    assert any(
        re.fullmatch(
            r"environments/staging.yaml:\d+:\d+: environment 'staging': collector.memoryLimit is unset; "
            r"it must be a Kubernetes quantity such as 512Mi",
            p,
        )
        for p in problems
    ), problems


def test_a_retention_shorter_than_the_slo_period_fails_at_the_retention(root: Path) -> None:  # noqa: F811
    _replace(root / "environments/prod.yaml", "retention: 30d", "retention: 15d")
    problems = helm_values.stack_problems(catalogue(), root)
    line = next(
        i for i, t in enumerate((root / "environments/prod.yaml").read_text().splitlines(), 1) if "retention: 15d" in t
    )
    assert len(problems) == 1 and problems[0].startswith(
        f"environments/prod.yaml:{line}:14: environment 'prod': Prometheus keeps 15d, less than the SLO period 30d"
    )


def test_the_retention_follows_platform_slo_period(root: Path) -> None:  # noqa: F811
    """A 45-day period needs 45 days of history: the bundled 30d retention is too short."""
    longer = catalogue()
    longer = replace(longer, platform=replace(longer.platform, slo_period="45d"))
    problems = helm_values.stack_problems(longer, root)
    assert problems and all("less than the SLO period 45d" in p for p in problems)
