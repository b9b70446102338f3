"""Synthesis in a worker process writes exactly what one process writes,
whoever renders the batches; the worker and its Node never outlive opsgen."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opsgen.generate.batch import Batch
from opsgen.output import parallel
from opsgen.output.render import Tally

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "tests" / "golden" / "bundled" / "services.yaml"  # the tests' own catalogue


def synth(catalogue: Path, out: Path, workers: int) -> None:
    env = dict(os.environ, OPSGEN_WORKERS=str(workers))
    run = subprocess.run(
        [sys.executable, "-m", "opsgen", "synth", "-c", str(catalogue), "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_worker_writes_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    synth(BUNDLED, tmp_path / "one", 0)  # in the opsgen process itself
    synth(BUNDLED, tmp_path / "worker", 1)
    assert tree(tmp_path / "worker") == tree(tmp_path / "one") != {}


@pytest.mark.parametrize("ahead", [0, 1, 100])
def test_the_same_bytes_whoever_renders_the_batches(tmp_path: Path, ahead: int) -> None:
    """Small batches (one file each); AHEAD 0: the worker renders every batch,
    100: the parent does, 1: both (as timing decides)."""
    script = f"""
import sys
from opsgen.generate import generate
from opsgen.output import parallel
from opsgen.cli import main
parallel.AHEAD = {ahead}
generate.BATCH_CHARS = 1
sys.exit(main(["synth", "-c", {str(BUNDLED)!r}, "-o", {str(tmp_path / "out")!r}]))
"""
    run = subprocess.run(
        [sys.executable, "-c", script], env=dict(os.environ, OPSGEN_WORKERS="1"), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    synth(BUNDLED, tmp_path / "one", 0)
    assert tree(tmp_path / "out") == tree(tmp_path / "one")


def test_the_tally_counts_objects_and_files_per_environment() -> None:
    tally = Tally()
    tally.add(Batch("dev", (("a.yaml", 2), ("b.yaml", 0)), (), ""))
    tally.add(Batch("prod", (("a.yaml", 1),), (), ""))
    tally.add(Batch("dev", (("c.yaml", 3),), (), ""))
    tally.add(Batch("", (), (), "[]"))  # an environment without files
    assert tally.summary() == (("dev", 5, 2), ("prod", 1, 1), ("", 0, 0))


def test_when_a_worker_is_forked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.kernel, "kernel_started", lambda: False)
    monkeypatch.setenv("OPSGEN_WORKERS", "0")
    assert not parallel.forks()  # build in this process
    for value in ("", "1", "3"):
        monkeypatch.setenv("OPSGEN_WORKERS", value)
        assert parallel.forks()
    monkeypatch.setattr(parallel.kernel, "kernel_started", lambda: True)
    assert not parallel.forks()  # never fork a process that has a jsii kernel


def _session_processes(session: int) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if entry.isdigit() and int(fields[3]) == session and fields[0] != "Z":
            found.append(stat)
    return found


def _wait_for_node(run: subprocess.Popen, seconds: float = 120) -> None:
    """Until a Node process runs in the session of ``run`` (an event, not a timer)."""
    deadline = time.monotonic() + seconds
    while not any(stat.split(" ", 2)[1] == "(node)" for stat in _session_processes(run.pid)):
        assert run.poll() is None, "opsgen ended before its worker started Node"
        assert time.monotonic() < deadline, f"no Node process in {seconds} s"
        time.sleep(0.02)


@pytest.mark.parametrize("catalogue", ["good", "bad"])
def test_the_worker_and_its_node_process_are_gone_when_opsgen_exits(tmp_path: Path, catalogue: str) -> None:
    """The worker is started before the catalogue is read: on bad input it is
    stopped, on good input it shuts its jsii kernel down; nothing is left."""
    text = BUNDLED.read_text()
    (tmp_path / "services.yaml").write_text(
        text if catalogue == "good" else text.replace("maxReplicas:", "maxReplica:", 1)
    )
    if (ROOT / "metrics").is_dir():  # exposition files the catalogue references
        shutil.copytree(ROOT / "metrics", tmp_path / "metrics")
    script = (
        "import os, sys; os.setsid(); print(os.getpid(), flush=True);"
        "from opsgen.cli import main; code = main(sys.argv[1:]); sys.exit(code)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "synth", "-c", "services.yaml", "-o", "dist"],
        cwd=tmp_path,
        env=dict(os.environ, OPSGEN_WORKERS="1"),
        capture_output=True,
        text=True,
    )
    assert run.returncode == (0 if catalogue == "good" else 3), run.stderr
    session = int(run.stdout.split()[0])
    deadline = time.monotonic() + 5  # processes on their way out get a moment
    while _session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_processes(session) == []
    assert (tmp_path / "dist").is_dir() == (catalogue == "good")


def test_a_failing_worker_is_reported_with_its_traceback(tmp_path: Path) -> None:
    """In a fresh process: forking this one (which runs cdk8s) would share its jsii kernel."""
    script = f"""
from opsgen.output import parallel
from opsgen import pipeline

def broken(catalogue):
    raise ValueError("the build is broken")

parallel._batches = broken
catalogue = pipeline.load_valid({str(BUNDLED)!r})
try:
    with parallel.Worker(True) as worker:
        worker.build(catalogue)
except RuntimeError as exc:
    print(exc)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert re.search(r"(?s)opsgen-worker failed:.*Traceback.*ValueError: the build is broken", run.stdout), run


def test_ctrl_c_stops_every_process_and_says_so(tmp_path: Path) -> None:
    """^C reaches the whole process group: opsgen stops its workers, exits 130
    with one line, leaves the output alone and no process running."""
    write = [
        sys.executable,
        "-c",
        "import catalogue, sys; catalogue.write(sys.argv[1], 600, 3)",
        str(tmp_path / "services.yaml"),
    ]
    subprocess.run(write, cwd=ROOT / "bench", check=True)  # bench/catalogue.py: about 3 s of synth
    run = subprocess.Popen(
        [sys.executable, "-m", "opsgen", "synth", "-c", "services.yaml", "-o", "dist"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    _wait_for_node(run)  # the worker has started cdk8s's Node kernel: building, whatever the load
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert (run.returncode, stderr) == (
        130,
        "opsgen: interrupted; dist holds the old output or the new one, never a mix\n",
    )
    assert not (tmp_path / "dist").exists()
    deadline = time.monotonic() + 5
    while _session_processes(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_processes(run.pid) == []
