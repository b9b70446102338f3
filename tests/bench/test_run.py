"""The benchmark's own pieces work (its timings are not asserted anywhere: `make bench`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen.cli import main

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))
import catalogue  # noqa: E402
import run  # noqa: E402


@pytest.mark.parametrize("envs", [1, 3])
def test_generated_catalogues_are_valid_and_synthesize(tmp_path: Path, envs: int) -> None:
    path = tmp_path / "services.yaml"
    catalogue.write(str(path), 12, envs)
    assert main(["synth", "-c", str(path), "-o", str(tmp_path / "dist")]) == 0
    documents = run.documents_of(tmp_path / "dist")
    kinds = {d["kind"] for docs in documents.values() for d in docs}
    assert {"ScaledObject", "HorizontalPodAutoscaler", "ServiceMonitor", "PodMonitor", "PrometheusRule"} <= kinds


def test_the_limit_writes_the_same_documents(tmp_path: Path) -> None:
    path = tmp_path / "services.yaml"
    catalogue.write(str(path), 5, 1)
    assert main(["synth", "-c", str(path), "-o", str(tmp_path / "dist")]) == 0
    documents = run.documents_of(tmp_path / "dist")
    (tmp_path / "documents.json").write_text(json.dumps(documents))
    subprocess.run([sys.executable, "-c", run.LIMIT, "documents.json", "limit"], cwd=tmp_path, check=True)
    assert run.documents_of(tmp_path / "limit") == documents


def test_measure_reports_wall_time_and_peak_rss(tmp_path: Path) -> None:
    child = "import subprocess, sys, time; x = bytearray(60 * 2**20); time.sleep(0.3)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}]); x = bytearray(50 * 2**20)"
    wall, largest, tree = run.measure([sys.executable, "-c", parent], tmp_path, tree=True)
    assert wall > 0.3 and largest >= 60  # the kernel's figure covers the waited-for child
    assert tree >= 60  # the sampled tree saw the child while it ran
