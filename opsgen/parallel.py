"""Synthesis in several processes: the jsii bridge under cdk8s is one Node
process answering one call at a time, so a large catalogue's files are split
into shards (generate.Shard) built by forked workers, each with its own cdk8s
and Node, on the machine's cores. The bytes are the same as in one process.

OPSGEN_WORKERS=N forces N processes (1: build in this process).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from typing import TYPE_CHECKING

from .model import Catalogue

if TYPE_CHECKING:
    from .render import Rendered

MAX_WORKERS = 4
# Below this many service-environments one process is as fast: each worker
# pays for its own cdk8s import and Node start (about 0.3 s).
MIN_SERVICES_PER_WORKER = 50


def synthesize(catalogue: Catalogue) -> "Rendered":
    workers = worker_count(catalogue)
    if workers == 1:
        return _shard(catalogue, 0, 1)
    from .render import merge  # cdk8s-free (see render.py)

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        parts = pool.starmap(_shard, [(catalogue, index, workers) for index in range(workers)])
    return merge(parts)


def worker_count(catalogue: Catalogue) -> int:
    forced = os.environ.get("OPSGEN_WORKERS", "")
    if "cdk8s" in sys.modules:
        return 1  # a forked child cannot share this process's jsii kernel
    if forced.isdigit() and int(forced) >= 1:
        return min(int(forced), MAX_WORKERS)
    size = sum(len(env.services) for env in catalogue.environments)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS, size // MIN_SERVICES_PER_WORKER))


def _shard(catalogue: Catalogue, index: int, count: int) -> "Rendered":
    from .generate import Shard, generate  # cdk8s (and Node) start here, in the worker
    from .render import render

    return render(generate(catalogue, Shard(index, count)), catalogue.file)
