"""`npx cdk8s synth` (cdk8s.yaml: app "python main.py") writes what `opsgen synth` writes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen.cli import main

ROOT = Path(__file__).resolve().parent.parent
CDK8S = ROOT / "node_modules" / ".bin" / "cdk8s"


@pytest.mark.skipif(not CDK8S.exists(), reason="node_modules/.bin/cdk8s missing: run `make deps` (npm ci)")
def test_npx_cdk8s_synth_writes_the_same_bytes(tmp_path: Path) -> None:
    for name in ("cdk8s.yaml", "main.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "tests" / "golden" / "bundled" / "services.yaml", tmp_path / "services.yaml")  # the tests' own catalogue
    env = dict(os.environ, CDK8S_CHECK_UPGRADE="false", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    run = subprocess.run([str(CDK8S), "synth"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "end-of-life" not in run.stderr
    assert main(["check", "-c", str(tmp_path / "services.yaml"), "-o", str(tmp_path / "dist")]) == 0
