"""Running the real Prometheus and Alertmanager checkers (``promtool``, ``amtool``).

Tests that need one are marked with ``needs_promtool`` / ``needs_amtool`` and
skip, with the reason shown by ``pytest -ra``, when it is not installed
(``scripts/install-test-tools.sh``, or Debian ``prometheus`` /
``prometheus-alertmanager``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

needs_promtool = pytest.mark.skipif(
    shutil.which("promtool") is None, reason="promtool not installed (Debian package prometheus)"
)
needs_amtool = pytest.mark.skipif(
    shutil.which("amtool") is None, reason="amtool not installed (Debian package prometheus-alertmanager)"
)


def _write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, check=False)


def check_rules(rule_file: dict[str, Any], workdir: Path) -> subprocess.CompletedProcess:
    """``promtool check rules`` on a plain rule file (a PrometheusRule's spec)."""
    return _run("promtool", "check", "rules", str(_write(workdir / "rules.yaml", rule_file)))


def test_rules(
    rule_file: dict[str, Any], tests: list[dict[str, Any]], workdir: Path, evaluation_interval: str = "1m"
) -> subprocess.CompletedProcess:
    """``promtool test rules`` with the given unit tests against ``rule_file`` (promtool
    evaluates every group each ``evaluation_interval``, whatever the group's own)."""
    _write(workdir / "rules.yaml", rule_file)
    suite = {"rule_files": ["rules.yaml"], "evaluation_interval": evaluation_interval, "tests": tests}
    return _run("promtool", "test", "rules", str(_write(workdir / "tests.yaml", suite)))


test_rules.__test__ = False  # a helper, not a pytest test


def check_alertmanager(config: dict[str, Any], workdir: Path) -> subprocess.CompletedProcess:
    return _run("amtool", "check-config", str(_write(workdir / "alertmanager.yaml", config)))


def route(config: dict[str, Any], workdir: Path, labels: dict[str, str]) -> str:
    """The receiver(s) Alertmanager picks for an alert with ``labels``."""
    path = _write(workdir / "alertmanager.yaml", config)
    result = _run(
        "amtool", "config", "routes", "test", f"--config.file={path}", *(f"{k}={v}" for k, v in labels.items())
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def output(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
