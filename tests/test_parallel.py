"""Synthesis split over worker processes writes exactly what one process writes."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from opsgen import parallel, pipeline
from opsgen.generate import Shard
from opsgen.render import Rendered, merge

ROOT = Path(__file__).resolve().parent.parent


def synth(catalogue: Path, out: Path, workers: int) -> None:
    env = dict(os.environ, OPSGEN_WORKERS=str(workers))
    run = subprocess.run(
        [sys.executable, "-m", "opsgen", "synth", "-c", str(catalogue), "-o", str(out)], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("workers", [2, 3])
def test_workers_write_the_same_bytes_as_one_process(tmp_path: Path, workers: int) -> None:
    catalogue = ROOT / "services.yaml"
    synth(catalogue, tmp_path / "one", 1)
    synth(catalogue, tmp_path / "many", workers)
    assert tree(tmp_path / "many") == tree(tmp_path / "one")


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


def test_worker_count(monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue = pipeline.load_valid(str(ROOT / "services.yaml"))
    monkeypatch.setattr(parallel.sys, "modules", {k: v for k, v in sys.modules.items() if k != "cdk8s"})
    monkeypatch.setenv("OPSGEN_WORKERS", "3")
    assert parallel.worker_count(catalogue) == 3
    monkeypatch.setenv("OPSGEN_WORKERS", "")
    assert parallel.worker_count(catalogue) == 1  # 18 service-environments: one process is as fast
    big = replace(catalogue, environments=tuple(replace(e, services=e.services * 40) for e in catalogue.environments))
    assert parallel.worker_count(big) == min(len(os.sched_getaffinity(0)), parallel.MAX_WORKERS)
    monkeypatch.setattr(parallel.sys, "modules", {**sys.modules, "cdk8s": object()})
    assert parallel.worker_count(big) == 1  # never fork a process that has a jsii kernel
