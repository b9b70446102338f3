"""`npx cdk8s synth` (cdk8s.yaml: app "python3 main.py", output "cdk8s.out").

cdk8s-cli 2.207.60 empties its output folder before it runs the app (also with
--stdout, which then reads the files the app wrote to a temporary folder), so
that folder is cdk8s's own: dist/ stays on opsgen's atomic path (main.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from opsgen import conventions
from opsgen.cli import main
from opsgen.output import stream
from tests.conftest import BUNDLED

ROOT = Path(__file__).resolve().parent.parent
CDK8S = ROOT / "node_modules" / ".bin" / "cdk8s"
pytestmark = pytest.mark.skipif(not CDK8S.exists(), reason="node_modules/.bin/cdk8s missing: run `make deps` (npm ci)")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A catalogue repository with the tests' own catalogue (and the exposition files it names)."""
    for name in ("cdk8s.yaml", "main.py"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(BUNDLED, tmp_path / "services.yaml")
    shutil.copytree(BUNDLED.parent / "metrics", tmp_path / "metrics")
    return tmp_path


def cdk8s(project: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, CDK8S_CHECK_UPGRADE="false", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )
    return subprocess.run(
        [str(CDK8S), "synth", *argv], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_cdk8s_has_an_output_folder_of_its_own():
    config = yaml.safe_load((ROOT / "cdk8s.yaml").read_text(encoding="utf-8"))
    assert config["app"] == "python3 main.py"
    assert config["output"] not in ("dist", "dist/", ".", "")
    assert f"/{config['output']}/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_npx_cdk8s_synth_writes_dist_atomically_and_one_stream(project: Path) -> None:
    assert main(["synth", "-c", str(project / "services.yaml"), "-o", str(project / "dist")]) == 0  # an output folder
    (project / "dist" / "kustomization.yaml").write_text("resources: []\n")  # not opsgen's: kept
    run = cdk8s(project)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "end-of-life" not in run.stderr
    assert main(["check", "-c", str(project / "services.yaml"), "-o", str(project / "dist")]) == 0
    assert (project / "dist" / "kustomization.yaml").read_text() == "resources: []\n"
    written = tree(project / "cdk8s.out")
    assert list(written) == [conventions.CDK8S_STREAM_FILE]
    dist = {k: v for k, v in tree(project / "dist").items() if k != "kustomization.yaml"}
    assert written[conventions.CDK8S_STREAM_FILE] == stream.join(dist)


def test_npx_cdk8s_synth_stdout_is_one_valid_stream_of_every_object(project: Path) -> None:
    run = cdk8s(project, "--stdout")
    assert run.returncode == 0, run.stderr
    assert not (project / "dist").exists()  # --stdout writes no output folder, and not dist/ either
    docs = list(yaml.safe_load_all(run.stdout))
    assert docs and all(isinstance(d, dict) and d.get("kind") and d["metadata"].get("name") for d in docs)
    assert main(["synth", "-c", str(project / "services.yaml"), "-o", str(project / "dist")]) == 0
    assert run.stdout.encode() == stream.join(tree(project / "dist"))


def test_npx_cdk8s_synth_of_a_bad_catalogue_leaves_dist_as_it_was(project: Path) -> None:
    assert main(["synth", "-c", str(project / "services.yaml"), "-o", str(project / "dist")]) == 0
    (project / "dist" / "notes.txt").write_text("mine\n")
    before = tree(project / "dist")
    text = (project / "services.yaml").read_text(encoding="utf-8")
    (project / "services.yaml").write_text(
        text.replace("services:\n", "services:\n  - {name: Broken}\n", 1), encoding="utf-8"
    )
    run = cdk8s(project)
    assert run.returncode != 0
    assert "nothing written" in run.stderr and "Traceback" not in run.stderr
    assert "    at " not in run.stderr, "cdk8s-cli added a stack trace after opsgen's own error"
    assert run.stderr.splitlines()[-1].startswith("ERROR: synthesis failed")  # cdk8s-cli's one line
    assert tree(project / "dist") == before


def test_the_readmes_npx_cdk8s_synth_prints_no_upgrade_check(project: Path) -> None:
    """cdk8s-cli checks for an upgrade before it runs the app (an HTTP stack trace offline);
    only its flag or CDK8S_CHECK_UPGRADE stop it, so the README's command carries the flag."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`npx cdk8s synth --no-check-upgrade`" in readme
    env = {k: v for k, v in os.environ.items() if k != "CDK8S_CHECK_UPGRADE"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    run = subprocess.run(
        [str(CDK8S), "synth", "--no-check-upgrade"], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert "http error" not in run.stderr and "new version" not in run.stderr and "    at " not in run.stderr
