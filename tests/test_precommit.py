"""The pre-commit hooks from another repository: the real pre-commit (pinned in
requirements-test.txt) installs opsgen itself (``language: python``) from a git copy
of this checkout, then the hooks pass on a valid catalogue and fail on a broken one
with the located error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BUNDLED, REPO
from tests.support import install

GIT = shutil.which("git")
# about 60 s: pre-commit makes a virtualenv and pip-installs opsgen into it
pytestmark = [pytest.mark.skipif(GIT is None, reason="needs git"), pytest.mark.slow]


def git(cwd: Path, *argv: str) -> None:
    command = [GIT, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *argv]
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, timeout=120)


def committed(folder: Path) -> Path:
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "state")
    return folder


def test_the_hooks_install_opsgen_and_report_located_errors(tmp_path):
    hooks = committed(install.copy_of_the_checkout(tmp_path / "opsgen"))
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    shutil.copy(BUNDLED, catalogue / "services.yaml")
    shutil.copytree(BUNDLED.parent / "metrics", catalogue / "metrics")
    assert subprocess.run([sys.executable, "-m", "opsgen", "synth"], cwd=catalogue, capture_output=True).returncode == 0
    committed(catalogue)
    env = dict(
        os.environ,
        PATH=install.user_path(),
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_CONSTRAINT=str(REPO / "constraints.txt"),  # the pinned versions: the pip cache has them
    )
    env.pop("PYTHONPATH", None)

    def try_repo() -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), "--all-files", "--color", "never"]
        return subprocess.run(command, cwd=catalogue, env=env, capture_output=True, text=True, timeout=900)

    valid = try_repo()
    assert valid.returncode == 0, valid.stdout[-3000:] + valid.stderr[-2000:]
    assert "opsgen validate" in valid.stdout and "opsgen check" in valid.stdout and "Failed" not in valid.stdout
    text = (catalogue / "services.yaml").read_text(encoding="utf-8")
    (catalogue / "services.yaml").write_text(text.replace("maxReplicas: 10", "maxReplicas: 0", 1), encoding="utf-8")
    broken = try_repo()
    assert broken.returncode == 1
    assert "services.yaml:30:7: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)" in broken.stdout, (
        broken.stdout[-3000:]
    )
