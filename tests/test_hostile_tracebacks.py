"""Issue 21's traceback list: each a clear message and its exit code, never a traceback."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen.usage import FAILED, INVALID, USAGE
from tests.conftest import VALID

BROKEN = VALID.replace("maxReplicas: 4", "maxReplicas: -1")


def opsgen(*argv: str, cwd: Path, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "opsgen", *argv],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "services.yaml").write_text(VALID, encoding="utf-8")
    return tmp_path


def clean(result: subprocess.CompletedProcess, code: int, words: str) -> None:
    err = result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr, err
    assert result.returncode == code and words in err, err


def test_an_output_name_too_long_for_the_file_system(repo):
    clean(opsgen("synth", "-o", "x" * 300, cwd=repo), USAGE, "cannot be used: File name too long")


def test_a_symbolic_link_to_itself_as_output_or_catalogue(repo):
    (repo / "self").symlink_to("self")
    clean(opsgen("synth", "-o", "self", cwd=repo), USAGE, "cannot be used: Too many levels of symbolic links")
    clean(
        opsgen("synth", "-c", "self", cwd=repo),
        INVALID,
        "self:1:1: cannot read the catalogue: Too many levels of symbolic links",
    )


def test_stdout_closed(repo):
    clean(
        opsgen("validate", cwd=repo, stdout=None, pass_fds=(), close_fds=True, preexec_fn=lambda: os.close(1)),
        USAGE,
        "stdout is closed",
    )


@pytest.mark.parametrize(
    "env", [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}]
)
def test_a_stdout_that_is_not_utf8_gets_utf8(repo, env):
    result = opsgen("schema", "--markdown", cwd=repo, env=env)
    clean(result, 0, "")
    assert "—" in result.stdout.decode("utf-8") or "–" in result.stdout.decode("utf-8")


def test_node_missing_from_path(repo):
    bin_dir = repo / "bin"
    bin_dir.mkdir()
    clean(opsgen("synth", cwd=repo, env={"PATH": str(bin_dir)}), USAGE, "node not found")


def test_node_out_of_memory_under_ulimit(repo):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (600 << 20, 600 << 20))  # Python runs in it; Node.js cannot start

    result = opsgen("synth", cwd=repo, preexec_fn=limit)
    if result.returncode == 0:
        pytest.skip("Node.js started within the limit on this machine")
    err = result.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in result.stderr, err
    assert (
        (result.returncode, "--version did not print") == (USAGE, "--version did not print")
        and "--version" in err
        or (result.returncode == FAILED and "cdk8s's Node.js process" in err)
    ), err
    assert not (repo / "dist").exists()


@pytest.mark.parametrize("command", ["synth", "check", "diff", "validate"])
def test_an_invalid_catalogue_never_prints_a_traceback(repo, command):
    """The worker inherited the parent's SIGTERM handler: stopped early, it printed
    'Process opsgen-worker: Traceback ... Terminated' (fixed on main: signals are blocked
    across the fork); run it several times, as it was one in ten under load."""
    (repo / "services.yaml").write_text(BROKEN, encoding="utf-8")
    for _ in range(4):
        clean(opsgen(command, cwd=repo), INVALID, "problem")
