"""Synthesis split over worker processes writes exactly what one process writes."""
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

from opsgen.output import parallel
from opsgen import pipeline
from opsgen.build.generate import Shard
from opsgen.output.render import Rendered, merge

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "tests" / "golden" / "bundled" / "services.yaml"  # the tests' own catalogue


def synth(catalogue: Path, out: Path, workers: int) -> None:
    env = dict(os.environ, OPSGEN_WORKERS=str(workers))
    run = subprocess.run(
        [sys.executable, "-m", "opsgen", "synth", "-c", str(catalogue), "-o", str(out)], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_write_the_same_bytes_as_one_process(tmp_path: Path, workers: int) -> None:
    catalogue = BUNDLED
    synth(catalogue, tmp_path / "one", 0)  # in the opsgen process itself
    synth(catalogue, tmp_path / "many", workers)
    assert tree(tmp_path / "many") == tree(tmp_path / "one") != {}


def test_shards_partition_the_files() -> None:
    shards = [Shard(i, 3) for i in range(3)]
    assert [[s.takes(p) for s in shards].count(True) for p in range(10)] == [1] * 10
    with pytest.raises(ValueError):
        Shard(3, 3)


def test_merge_sums_the_summary_per_directory() -> None:
    a = Rendered({"prod/b.yaml": b"b", "dev/a.yaml": b"a"}, (("dev", 2, 1), ("prod", 1, 1)))
    b = Rendered({"prod/c.yaml": b"c"}, (("dev", 0, 0), ("prod", 3, 1)))
    merged = merge([a, b])
    assert list(merged.files) == ["dev/a.yaml", "prod/b.yaml", "prod/c.yaml"]
    assert merged.summary == (("dev", 2, 1), ("prod", 4, 2))


def test_worker_count(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    small, big = tmp_path / "small.yaml", tmp_path / "big.yaml"
    small.write_text("x" * 1000)
    big.write_text("x" * parallel.BYTES_PER_WORKER * 8)
    monkeypatch.setattr(parallel.bridge, "kernel_started", lambda: False)
    monkeypatch.setenv("OPSGEN_WORKERS", "3")
    assert parallel.worker_count(str(small)) == 3
    monkeypatch.setenv("OPSGEN_WORKERS", "0")
    assert parallel.worker_count(str(big)) == 0  # build in this process
    monkeypatch.setenv("OPSGEN_WORKERS", "")
    assert parallel.worker_count(str(small)) == 1  # a small catalogue: one worker is as fast
    assert parallel.worker_count(str(tmp_path / "missing.yaml")) == 1  # loading reports it
    assert parallel.worker_count(str(big)) == min(len(os.sched_getaffinity(0)), parallel.MAX_WORKERS)
    monkeypatch.setattr(parallel.bridge, "kernel_started", lambda: True)
    assert parallel.worker_count(str(big)) == 0  # never fork a process that has a jsii kernel


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


@pytest.mark.parametrize("catalogue", ["good", "bad"])
def test_workers_and_their_node_processes_are_gone_when_opsgen_exits(tmp_path: Path, catalogue: str) -> None:
    """Workers are started before the catalogue is read: on bad input they are
    stopped, on good input they shut their jsii kernel down; nothing is left."""
    text = BUNDLED.read_text()
    (tmp_path / "services.yaml").write_text(text if catalogue == "good" else text.replace("maxReplicas:", "maxReplica:", 1))
    if (ROOT / "metrics").is_dir():  # exposition files the catalogue references
        shutil.copytree(ROOT / "metrics", tmp_path / "metrics")
    script = (
        "import os, sys; os.setsid(); print(os.getpid(), flush=True);"
        "from opsgen.cli import main; code = main(sys.argv[1:]); sys.exit(code)"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "synth", "-c", "services.yaml", "-o", "dist"],
        cwd=tmp_path, env=dict(os.environ, OPSGEN_WORKERS="2"), capture_output=True, text=True,
    )
    assert run.returncode == (0 if catalogue == "good" else 1), run.stderr
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

def broken(catalogue, index, count):
    raise ValueError(f"shard {{index}} of {{count}} is broken")

parallel._build = broken
catalogue = pipeline.load_valid({str(BUNDLED)!r})
try:
    with parallel.Workers(1) as workers:
        workers.build(catalogue)
except RuntimeError as exc:
    print(exc)
"""
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert re.search(r"(?s)opsgen-worker-0 failed:.*Traceback.*ValueError: shard 0 of 1 is broken", run.stdout), run


def test_ctrl_c_stops_every_process_and_says_so(tmp_path: Path) -> None:
    """^C reaches the whole process group: opsgen stops its workers, exits 130
    with one line, leaves the output alone and no process running."""
    write = [sys.executable, "-c", "import catalogue, sys; catalogue.write(sys.argv[1], 600, 3)", str(tmp_path / "services.yaml")]
    subprocess.run(write, cwd=ROOT / "bench", check=True)  # bench/catalogue.py: about 3 s of synth
    run = subprocess.Popen(
        [sys.executable, "-m", "opsgen", "synth", "-c", "services.yaml", "-o", "dist"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
    )
    time.sleep(1.0)  # workers started, building
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert (run.returncode, stderr) == (130, "opsgen: interrupted; dist holds the old output or the new one, never a mix\n")
    assert not (tmp_path / "dist").exists()
    deadline = time.monotonic() + 5
    while _session_processes(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _session_processes(run.pid) == []
