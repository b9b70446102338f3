"""pyproject.toml allows Python 3.11 to 3.13: every one of them writes the same bytes.

Each other interpreter gets a virtualenv of its own, built once from
the runtime pins (constraints.txt) and kept in ``.venv-py3XX/`` (ignored by git; rebuilt when
they change), and runs opsgen from this checkout (PYTHONPATH).
An interpreter that is not installed is skipped, and the skip says where it was
looked for; this repository's CI installs all three."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen.cli import main
from tests.conftest import REPO

GOLDEN = REPO / "tests" / "golden"
CASES = ("bundled", "overrides", "single-env")
VERSIONS = ("3.11", "3.12", "3.13")
PIP_TIMEOUT = 900  # a first build downloads the pinned wheels; later runs reuse the venv


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_requires_python_is_the_tested_range():
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert 'requires-python = ">=3.11,<3.14"' in text
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in VERSIONS


def interpreter(version: str) -> str | None:
    """A working python3.X: on PATH, else a pyenv install of it (pyenv's shims
    are on PATH even where that version is not selected, and then fail)."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = [
        shutil.which(f"python{version}"),
        *sorted(glob.glob(os.path.join(pyenv, "versions", f"{version}.*", "bin", "python"))),
    ]
    check = f"import sys; sys.exit(sys.version_info[:2] != {tuple(int(p) for p in version.split('.'))})"
    for python in filter(None, candidates):
        if subprocess.run([python, "-c", check], capture_output=True, timeout=60).returncode == 0:
            return python
    return None


def venv_for(version: str, python: str) -> Path:
    """.venv-py3XX with the runtime pins (constraints.txt) installed, (re)built when the pins change."""
    venv = REPO / f".venv-py{version.replace('.', '')}"
    pins = hashlib.sha256((REPO / "constraints.txt").read_bytes()).hexdigest()
    stamp = venv / ".requirements-sha256"
    if stamp.is_file() and stamp.read_text() == pins:
        return venv
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "-q",
        "-r",
        str(REPO / "constraints.txt"),
    ]
    done = subprocess.run(pip, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    assert done.returncode == 0, f"the pinned requirements do not install on Python {version}:\n{done.stderr[-3000:]}"
    stamp.write_text(pins)
    return venv


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")


def opsgen(venv: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-m", "opsgen", *argv], capture_output=True, text=True, env=_env(), timeout=300
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, dict[str, bytes]]:
    """Each case synthesized by the interpreter running the tests."""
    out = {}
    for case in CASES:
        target = tmp_path_factory.mktemp(f"this-{case}")
        assert main(["synth", "-c", str(GOLDEN / case / "services.yaml"), "-o", str(target)]) == 0
        out[case] = tree(target)
    return out


@pytest.mark.parametrize("version", [v for v in VERSIONS if v != f"{sys.version_info.major}.{sys.version_info.minor}"])
def test_every_supported_python_writes_the_same_bytes(version, reference, tmp_path):
    python = interpreter(version)
    if python is None:
        pytest.skip(f"Python {version} is not installed (looked for python{version} on PATH and in ~/.pyenv/versions)")
    venv = venv_for(version, python)
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    )
    assert probe.stdout.strip() == str(tuple(int(p) for p in version.split("."))), probe
    # one process for every case: Node and cdk8s start once
    script = "import sys; from opsgen.cli import main; sys.exit(max(main(['synth', '-c', c, '-o', o]) for c, o in zip(sys.argv[1::2], sys.argv[2::2])))"
    argv = [str(p) for case in CASES for p in (GOLDEN / case / "services.yaml", tmp_path / case)]
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", script, *argv], capture_output=True, text=True, env=_env(), timeout=300
    )
    assert done.returncode == 0, done.stderr
    for case in CASES:
        assert tree(tmp_path / case) == reference[case], f"Python {version} writes other bytes for tests/golden/{case}"
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "platform: {name: demo}\nservices:\n  - {name: w, namespace: a, tema: x, Scaling: {}}\n", encoding="utf-8"
    )
    here = subprocess.run(
        [sys.executable, "-m", "opsgen", "validate", "-c", str(bad)], capture_output=True, text=True, timeout=120
    )
    there = opsgen(venv, "validate", "-c", str(bad))
    assert (
        (there.returncode, there.stderr) == (here.returncode, here.stderr) == (3, here.stderr)
    )  # 3: invalid (opsgen/usage.py)
