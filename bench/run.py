"""Benchmark: `opsgen synth` and `opsgen check` against the limit, as whole processes.

For catalogues of 10, 100 and 1,000 services (three environments and one) it
measures wall time and peak RSS (the child's own rusage, via wait4) over
several runs and reports medians. The limit is a fresh Python process that
writes the same documents with libyaml's C dumper (yaml.CSafeDumper): what
any generator must at least pay to emit this YAML from Python.

    make bench                     # all sizes, 5 runs, writes docs/performance.md
    .venv/bin/python bench/run.py --sizes 1000 --envs 1 --runs 3 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
import catalogue  # noqa: E402  (bench/catalogue.py)

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "out"
OPSGEN = [str(ROOT / ".venv" / "bin" / "opsgen")]
LIMIT = """
import json, os, sys, yaml
documents = json.load(open(sys.argv[1]))
for rel, docs in documents.items():
    path = os.path.join(sys.argv[2], rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as out:
        yaml.dump_all(docs, out, Dumper=yaml.CSafeDumper, sort_keys=False)
"""


def measure(command: list[str], cwd: Path, tree: bool = False) -> tuple[float, float, float]:
    """(wall seconds, peak RSS of the largest process, peak memory of the whole
    process tree) in MB, for one run of ``command`` as a child process. The
    largest process comes from the kernel (wait4). With ``tree``, the whole
    tree (opsgen, its worker and the worker's Node process together, as PSS) is
    sampled from /proc every 20 ms; sampling slows the processes it reads, so
    timed runs do not sample (their tree figure is 0)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = [0]
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak), daemon=True)
    if tree:
        sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if tree:
        sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss / 1024, peak[0] / 2**20


def _sample_tree(root: int, peak: list[int]) -> None:
    while os.path.exists(f"/proc/{root}") and _state(root) != "Z":
        peak[0] = max(peak[0], sum(_pss(pid) for pid in _tree(root)))
        time.sleep(0.02)


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _read(f"/proc/{entry}/stat")
            if stat:
                children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss(pid: int) -> int:
    """Proportional set size: shared pages (a forked worker shares its
    parent's) counted once across the tree, not once per process."""
    for line in _read(f"/proc/{pid}/smaps_rollup").splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def _state(pid: int) -> str:
    stat = _read(f"/proc/{pid}/stat")
    return stat.rsplit(")", 1)[1].split()[0] if stat else "Z"


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def median_of(command: list[str], cwd: Path, runs: int) -> tuple[float, float, float]:
    """Median wall time and largest-process RSS of ``runs`` timed runs after a
    warm-up, and the tree's peak memory from one more, sampled, run."""
    measure(command, cwd)  # warm-up: page cache, .pyc files
    samples = [measure(command, cwd) for _ in range(runs)]
    tree = measure(command, cwd, tree=True)[2]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples), tree


def documents_of(out: Path) -> dict[str, list]:
    """Every output file's documents, for the limit process to write again."""
    return {
        str(p.relative_to(out)): list(yaml.load_all(p.read_text(), Loader=yaml.CSafeLoader))
        for p in sorted(out.rglob("*.yaml"))
    }


def case(count: int, envs: int, runs: int) -> dict[str, float]:
    work = WORK / f"{count}-{envs}"
    work.mkdir(parents=True, exist_ok=True)
    catalogue.write(str(work / "services.yaml"), count, envs)
    synth = median_of(OPSGEN + ["synth", "-c", "services.yaml", "-o", "dist"], work, runs)
    check = median_of(OPSGEN + ["check", "-c", "services.yaml", "-o", "dist"], work, runs)
    # In a child process: the kernel counts a child's peak RSS from the moment it
    # is forked, so this process must stay small for the figures of the next runs.
    subprocess.run([sys.executable, __file__, "--dump-documents", str(work)], check=True)
    limit = median_of([sys.executable, "-c", LIMIT, "documents.json", "limit-out"], work, runs)
    objects = sum(body.count("\napiVersion: ") for body in _texts(work / "dist"))
    return {
        "services": count,
        "envs": envs,
        "objects": objects,
        "synth_s": synth[0],
        "synth_mb": synth[1],
        "synth_tree_mb": synth[2],
        "check_s": check[0],
        "check_mb": check[1],
        "check_tree_mb": check[2],
        "limit_s": limit[0],
        "limit_mb": limit[1],
        "ratio": synth[0] / limit[0],
    }


def _texts(out: Path) -> list[str]:
    return [p.read_text() for p in sorted(out.rglob("*.yaml"))]


def table(rows: list[dict[str, float]]) -> str:
    head = (
        "| services | envs | objects | synth s | synth MB (largest / all) | check s | check MB (largest / all) "
        "| limit s | limit MB | synth / limit |\n"
    )
    head += "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    line = (
        "| {services} | {envs} | {objects} | {synth_s:.2f} | {synth_mb:.0f} / {synth_tree_mb:.0f} | {check_s:.2f} "
        "| {check_mb:.0f} / {check_tree_mb:.0f} | {limit_s:.2f} | {limit_mb:.0f} | {ratio:.1f}x |\n"
    )
    return head + "".join(line.format(**r) for r in rows)


def report(rows: list[dict[str, float]], runs: int) -> str:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    return (
        "# Performance\n\n"
        "Generated by `make bench` (bench/run.py): whole processes, median of "
        f"{runs} runs after one warm-up, on {machine}. *limit* is a fresh Python process writing "
        "the same documents with libyaml's C dumper. MB is peak RSS: of the largest single process "
        "(kernel accounting) / of the whole process tree, opsgen, its worker process and the worker's Node "
        "process together (proportional set size, so pages they share are counted once; sampled "
        "every 20 ms). Targets: 1,000 services, one environment: synth <= 2x the limit, peak RSS of the "
        "whole tree <= 300 MB; 100 services: synth <= 4x; check and diff no slower than synth; validate of "
        "100 services <= 0.3 s.\n\n"
        + table(rows)
        + "\nSee the notes below the table (kept by hand) for where the time goes.\n"
    )


def dump_documents(work: Path) -> None:
    (work / "documents.json").write_text(json.dumps(documents_of(work / "dist")))


def main() -> None:
    if sys.argv[1:2] == ["--dump-documents"]:
        return dump_documents(Path(sys.argv[2]))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--envs", type=int, nargs="+", default=[3, 1], choices=[1, 3])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args()
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    rows = [case(n, e, args.runs) for n in args.sizes for e in args.envs]
    text = report(rows, args.runs)
    print(text)
    if not args.no_write:
        _write_report(text)


def _write_report(text: str) -> None:
    """Replace the generated part of docs/performance.md, keep the hand-written notes."""
    path = ROOT / "docs" / "performance.md"
    marker = "\n## Notes\n"
    old = path.read_text() if path.exists() else ""
    notes = old[old.index(marker) :] if marker in old else ""
    path.parent.mkdir(exist_ok=True)
    path.write_text(text + notes)


if __name__ == "__main__":
    main()
