"""Synthesis in worker processes, started before the catalogue is read.

The jsii bridge under cdk8s is one Node process answering one call at a time,
so the output files are split into shards (generate.Shard), each built by a
forked worker with its own cdk8s and Node. The workers are forked first thing:
while this process loads and validates the catalogue, they import cdk8s and
start Node. This process never imports cdk8s (a forked child cannot share a
jsii kernel). The bytes are the same whatever the number of workers.

OPSGEN_WORKERS=N forces N workers (at most MAX_WORKERS); 0 builds in this
process (for profiling), as does a process that already runs cdk8s (tests).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import traceback
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from opsgen.output import bridge
from opsgen.catalogue.model import Catalogue

if TYPE_CHECKING:
    from opsgen.output.render import Rendered

MAX_WORKERS = 4
# One worker per this many bytes of catalogue, up to one per core (the size on
# disk is all there is to go by before the catalogue is read). About 50
# services: below that, a second worker costs more (its own cdk8s import and
# Node start) than it saves.
BYTES_PER_WORKER = 16 * 1024


class Workers:
    """Forked worker processes waiting for a catalogue to build (none: build in
    this process).

    Use as a context manager: on the way out, workers that were given nothing
    (the catalogue had errors) are stopped."""

    def __init__(self, count: int):
        bridge.prepare(kernel_here=False)  # the workers inherit the runtime setting
        context = multiprocessing.get_context("fork")
        self._workers: list[tuple[multiprocessing.Process, Connection]] = []
        self._given = False
        for index in range(count):
            parent, child = context.Pipe()
            siblings = [conn for _, conn in self._workers] + [parent]  # this process's ends, which a fork inherits
            args = (child, index, count, os.getpid(), siblings)
            process = context.Process(target=_work, args=args, name=f"opsgen-worker-{index}")
            process.start()
            child.close()
            self._workers.append((process, parent))

    def build(self, catalogue: Catalogue) -> "Rendered":
        from opsgen.output.render import merge  # cdk8s-free (see render.py)

        if not self._workers:
            return _build(catalogue, 0, 1)
        self._given = True
        job = pickle.dumps(catalogue, protocol=pickle.HIGHEST_PROTOCOL)
        for _, conn in self._workers:
            conn.send_bytes(job)
        parts = [_result(process, conn) for process, conn in self._workers]
        for process, _ in self._workers:
            process.join()
        return merge(parts)

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        """Workers that were given nothing, or whose results will not be read
        (an error or ^C here), are stopped; the rest have ended."""
        for process, conn in self._workers:
            conn.close()
            if process.is_alive() and (kind is not None or not self._given):
                process.terminate()  # its Node ends when the worker's end of the pipe closes
            process.join()


def start(catalogue_file: str) -> Workers:
    """Workers for the catalogue in this file, started now."""
    return Workers(worker_count(catalogue_file))


def synthesize(catalogue: Catalogue) -> "Rendered":
    with start(catalogue.file) as workers:
        return workers.build(catalogue)


def worker_count(catalogue_file: str) -> int:
    forced = os.environ.get("OPSGEN_WORKERS", "")
    if bridge.kernel_started():
        return 0  # a forked child cannot share this process's jsii kernel
    if forced.isdigit():
        return min(int(forced), MAX_WORKERS)
    try:
        size = os.path.getsize(catalogue_file)
    except OSError:
        size = 0  # loading will report it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS, size // BYTES_PER_WORKER))


def _build(catalogue: Catalogue, index: int, count: int) -> "Rendered":
    from opsgen.build.generate import Shard, generate
    from opsgen.output.render import render

    return render(generate(catalogue, Shard(index, count)), catalogue.file)


def _work(conn: Connection, index: int, count: int, parent: int, siblings: list[Connection]) -> None:
    """A worker: start cdk8s, wait for the catalogue, send back its shard's
    files (or why it could not), then shut its kernel down.

    It ends with its parent, however that ends: SIGTERM when the parent dies
    (Linux parent-death signal), and EOF on its channel, which only the parent
    holds open (the ends of other workers' channels this fork inherited are
    closed). On SIGTERM it ends at once, its Node kernel with it (bridge.abandon),
    wherever it was: starting cdk8s, building, or sending its result."""
    # ^C is the parent's to handle (it stops the workers). A handler, not
    # SIG_IGN, which Node would inherit: Node itself ends on ^C.
    signal.signal(signal.SIGINT, _ignore)
    signal.signal(signal.SIGTERM, _end_now)
    bridge.die_with_parent(parent)
    for inherited in siblings:
        inherited.close()
    try:
        outcome = _outcome(conn, index, count)
        if outcome is not None:
            conn.send(outcome)
    except OSError:
        pass  # the parent stopped listening: it has an error of its own to report
    finally:
        bridge.stop()


def _outcome(conn: Connection, index: int, count: int) -> tuple[str, object] | None:
    """("ok", Rendered) or ("failed", traceback); None when the catalogue had errors."""
    try:
        from opsgen.build import generate
        from opsgen.output import render  # noqa: F401  (cdk8s and its Node start here)
    except BaseException:  # reported once there is somebody to report to
        failure: str | None = traceback.format_exc()
    else:
        failure = None
    try:
        job = conn.recv_bytes()
    except EOFError:
        return None
    if failure is not None:
        return ("failed", failure)
    try:
        return ("ok", _build(pickle.loads(job), index, count))
    except BaseException:
        return ("failed", traceback.format_exc())


def _ignore(signum: int, frame: object) -> None:
    pass


def _end_now(signum: int, frame: object) -> None:
    """Nobody reads this worker any more: let go of the output streams it
    shares with its parent (`opsgen synth | cat` returns), end its kernel, exit."""
    quiet = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):
        os.dup2(quiet, stream)
    bridge.abandon()
    os._exit(128 + signum)


def _result(process: multiprocessing.Process, conn: Connection) -> "Rendered":
    try:
        status, value = conn.recv()
    except EOFError:
        raise RuntimeError(f"{process.name} ended without a result (exit code {process.exitcode})") from None
    if status != "ok":
        raise RuntimeError(f"{process.name} failed:\n{value}")
    return value
