"""The kill harness: SIGKILL or SIGTERM the opsgen process at several points of
a synth of a large generated catalogue (bench/catalogue.py). Whatever the
point, `opsgen synth | cat` returns (nobody holds the pipe), no process of the
run is left, TMPDIR holds nothing new but the reused runtime folders, and
the output directory is the old one or the new one. The next synth cleans up
what a kill left. Slow (several synths), and run in CI like every test."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from opsgen.output import write

ROOT = Path(__file__).resolve().parents[2]
SERVICES = 200  # about 70 KB: a few seconds of building

pytestmark = pytest.mark.slow


def tree(root: Path) -> dict[str, bytes]:
    return {rel: (root / rel).read_bytes() for rel in write.existing_files(root)}


def marked(marker: str) -> list[str]:
    """Every process whose environment carries ``marker`` (the run's processes, forks and Node included)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                environ = Path(f"/proc/{entry}/environ").read_bytes().split(b"\0")
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if f"OPSGEN_KILL_TEST={marker}".encode() in environ and stat[0] != "Z":
                found.append(entry)
    return found


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the JSII_RUNTIME that tests running cdk8s in this process set."""
    env = {k: v for k, v in os.environ.items() if k != "JSII_RUNTIME"}
    return {**env, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20", **extra}


def start(workdir: Path, tmpdir: Path, marker: str) -> subprocess.Popen:
    env = clean_env(OPSGEN_KILL_TEST=marker, TMPDIR=str(tmpdir))
    return subprocess.Popen(
        [sys.executable, "-m", "opsgen", "synth"],
        cwd=workdir,
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # stdout as `| cat` has it
    )


def wait_for(point: str, run: subprocess.Popen, workdir: Path, marker: str) -> None:
    """Until the run reaches ``point`` (or ends): events, not times."""
    reached = {
        "start": lambda: True,
        "building": lambda: len(marked(marker)) >= 3,  # the parent, a worker, a Node kernel
        "writing": lambda: any(p.name.startswith(".dist.opsgen-") for p in workdir.iterdir()),
    }[point]
    while not reached() and run.poll() is None:
        time.sleep(0.01)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """A work folder whose dist/ holds the output of an older catalogue, and
    the trees of the old and of the new output."""
    base = tmp_path_factory.mktemp("kill")
    sys.path.insert(0, str(ROOT / "bench"))
    import catalogue

    for out, services in (("old", SERVICES - 1), ("new", SERVICES)):
        catalogue.write(str(base / "services.yaml"), services, 3)
        argv = [sys.executable, "-m", "opsgen", "synth", "-o", out]
        run = subprocess.run(argv, cwd=base, capture_output=True, timeout=600, env=clean_env())
        assert run.returncode == 0, run.stderr
    return base, tree(base / "old"), tree(base / "new")


@pytest.mark.parametrize("point", ["start", "building", "writing"])
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_killing_synth_leaves_no_process_no_leak_and_old_or_new_output(
    outputs, tmp_path: Path, point: str, signum: int
) -> None:
    base, old, new = outputs
    workdir, tmpdir = tmp_path / "work", tmp_path / "tmp"
    tmpdir.mkdir()
    shutil.copytree(base / "old", workdir / "dist", symlinks=True)
    shutil.copy(base / "services.yaml", workdir / "services.yaml")
    subprocess.run(
        [sys.executable, "-c", "from opsgen.synth import engine; engine.start()"],
        env=clean_env(TMPDIR=str(tmpdir)),
        cwd=ROOT,
        check=True,
        timeout=120,
    )  # the reused runtime folders, made beforehand
    reused = sorted(p.name for p in tmpdir.iterdir())
    marker = uuid.uuid4().hex
    run = start(workdir, tmpdir, marker)
    try:
        wait_for(point, run, workdir, marker)
        run.send_signal(signum)
        run.communicate(timeout=60)  # EOF on stdout: no process of the run holds the pipe
        deadline = time.monotonic() + 10  # processes on their way out get a moment
        while marked(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marked(marker) == []
    finally:
        for pid in marked(marker):  # never leave a process behind, even on failure
            os.kill(int(pid), signal.SIGKILL)
    assert tree(workdir / "dist") in (old, new)
    assert sorted(p.name for p in tmpdir.iterdir()) == reused
    again = subprocess.run(
        [sys.executable, "-m", "opsgen", "synth"],
        cwd=workdir,
        capture_output=True,
        text=True,
        env=clean_env(OPSGEN_KILL_TEST=marker, TMPDIR=str(tmpdir)),
        timeout=600,
    )
    assert again.returncode == 0, again.stderr
    assert tree(workdir / "dist") == new
    assert sorted(p.name for p in workdir.iterdir()) == ["dist", "services.yaml"]  # staging left by the kill: removed
