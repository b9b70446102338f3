"""opsgen's own output streams failing: a reader that left, a full device, an unusable TMPDIR."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import VALID


def opsgen(*argv: str, cwd: Path, stdout, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environ = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "opsgen", *argv],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env=environ,
    )


@pytest.mark.parametrize("argv", [["schema"], ["validate"], ["synth"]])
def test_a_reader_that_left_is_not_a_traceback(tmp_path: Path, argv: list[str]) -> None:
    """`opsgen schema | head -c0`: exit as a tool killed by SIGPIPE would, saying nothing."""
    (tmp_path / "services.yaml").write_text(VALID)
    read, written = os.pipe()
    os.close(read)
    try:
        run = opsgen(*argv, cwd=tmp_path, stdout=written)
    finally:
        os.close(written)
    assert (run.returncode, run.stderr) == (128 + signal.SIGPIPE, "")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_after_the_swap_says_the_output_was_written(tmp_path: Path) -> None:
    (tmp_path / "services.yaml").write_text(VALID)
    with open("/dev/full", "w") as full:
        run = opsgen("synth", cwd=tmp_path, stdout=full)
    assert run.returncode == 4
    assert run.stderr == "opsgen: dist was written, but its summary could not be printed: No space left on device\n"
    assert (tmp_path / "dist" / "apps" / "worker.yaml").is_file()


@pytest.mark.parametrize("tmpdir", ["missing", "file", "readonly"])
def test_an_unusable_tmpdir_is_a_clear_error(tmp_path: Path, tmpdir: str) -> None:
    (tmp_path / "services.yaml").write_text(VALID)
    (tmp_path / "file").write_text("x")
    (tmp_path / "readonly").mkdir(mode=0o500)
    if tmpdir == "readonly" and os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    run = opsgen("synth", cwd=tmp_path, stdout=subprocess.PIPE, env={"TMPDIR": str(tmp_path / tmpdir)})
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.startswith(
        f"opsgen: error: TMPDIR={tmp_path / tmpdir} is not a usable folder for temporary files ("
    )
    assert not (tmp_path / "dist").exists()
