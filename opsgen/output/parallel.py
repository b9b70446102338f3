"""Synthesis in a worker process, started before the catalogue is read.

cdk8s runs in a forked worker with its own jsii kernel (Node): while this
process loads and validates the catalogue, the worker imports cdk8s and starts
Node. Then the worker generates and synthesizes the catalogue a batch at a
time (generate.py) and both processes render the batches into YAML, which is
most of the work: a batch goes to this process unless AHEAD batches already
wait for it, else the worker renders it itself and sends the bytes. This
process never imports cdk8s (a forked child cannot share a jsii kernel). One
worker, one Node: two would build in parallel but hold two copies of cdk8s
and Node (docs/performance.md). The bytes are the same whoever renders.

OPSGEN_WORKERS=0 builds in this process (for profiling), as does a process
that already runs cdk8s (tests); any other value, or none, one worker.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import traceback
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from opsgen.catalogue.model import Catalogue
from opsgen.errors import EngineFailed
from opsgen.synth import failures, kernel

if TYPE_CHECKING:
    from opsgen.generate.batch import Batch
    from opsgen.output.render import Rendered, Sources

READY = b"r"  # this process is ready to render a batch
# Batches the parent may have waiting for it: with one being rendered and one
# queued it never waits for the worker, which renders a batch itself only
# when the parent is that far behind.
AHEAD = 2
WORKER_SIGNALS = (signal.SIGINT, signal.SIGTERM)  # the worker's own handlers, set before it takes them


class Worker:
    """A forked worker process waiting for a catalogue to build (with
    ``forked`` False, none: build in this process).

    Use as a context manager: on the way out, a worker that was given nothing
    (the catalogue had errors) or whose results will not be read is stopped."""

    def __init__(self, forked: bool):
        kernel.prepare(kernel_here=False)  # the worker inherits the runtime setting
        self._worker: tuple[multiprocessing.process.BaseProcess, Connection] | None = None
        self._given = False
        if forked:
            context = multiprocessing.get_context("fork")
            parent, child = context.Pipe()
            process = context.Process(target=_work, args=(child, os.getpid(), [parent]), name="opsgen-worker")
            # The child must not run this process's handlers (cli.py turns SIGTERM into an
            # exception, which a child would print as its own traceback): the signals are
            # blocked across the fork, and the child unblocks them once its own are set.
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, WORKER_SIGNALS)
            try:
                process.start()
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            child.close()
            self._worker = (process, parent)

    def build(self, catalogue: Catalogue) -> Rendered:
        """Every output file, rendered here or by the worker (see the module's docstring)."""
        from opsgen.output.render import assemble, render, sources  # cdk8s-free (see render.py)

        if self._worker is None:
            try:
                return render(_batches(catalogue), sources(catalogue))
            except Exception as exc:
                why = failures.explain(exc)
                if why is None:
                    raise
                raise EngineFailed(why) from None
        process, conn = self._worker
        self._given = True
        conn.send_bytes(pickle.dumps(catalogue, protocol=pickle.HIGHEST_PROTOCOL))
        rendered = assemble(_rendered(process, conn, sources(catalogue)))
        process.join()
        return rendered

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        """A worker that was given nothing, or whose results will not be read
        (an error or ^C here), is stopped; otherwise it has ended."""
        if self._worker is None:
            return
        process, conn = self._worker
        conn.close()
        if process.is_alive() and (kind is not None or not self._given):
            process.terminate()  # its Node ends when the worker's end of the pipe closes
        process.join()


def start() -> Worker:
    """The worker (or none, see forks), started now."""
    return Worker(forks())


def synthesize(catalogue: Catalogue) -> Rendered:
    with start() as worker:
        return worker.build(catalogue)


def forks() -> bool:
    """Whether to build in a worker: not with OPSGEN_WORKERS=0, and never in a
    process that runs a jsii kernel (a forked child cannot share it)."""
    return not kernel.kernel_started() and os.environ.get("OPSGEN_WORKERS", "").strip() != "0"


def _batches(catalogue: Catalogue) -> Iterator[Batch]:
    from opsgen.generate.generate import generate

    return generate(catalogue)


def _work(conn: Connection, parent: int, inherited: list[Connection]) -> None:
    """The worker: start cdk8s, wait for the catalogue, send its batches (or
    why it could not), then shut its kernel down.

    It ends with its parent, however that ends: SIGTERM when the parent dies
    (Linux parent-death signal), and EOF on its channel, which only the parent
    holds open (the parent's end, inherited by the fork, is closed here). On
    SIGTERM it ends at once, its Node kernel with it (kernel.abandon), wherever
    it was: starting cdk8s, building, or sending."""
    # ^C is the parent's to handle (it stops the worker). A handler, not
    # SIG_IGN, which Node would inherit: Node itself ends on ^C.
    signal.signal(signal.SIGINT, _ignore)
    signal.signal(signal.SIGTERM, _end_now)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, WORKER_SIGNALS)  # blocked across the fork (Worker)
    kernel.die_with_parent(parent)
    for end in inherited:
        end.close()
    try:
        _serve(conn)
    except OSError:
        pass  # the parent stopped listening: it has an error of its own to report
    finally:
        kernel.stop()


def _serve(conn: Connection) -> None:
    """Send ("batch", Batch, files or None) per batch, then ("done",), or
    ("failed", traceback); nothing when the catalogue had errors (EOF)."""
    try:
        from opsgen.synth import engine

        engine.start()  # cdk8s and its Node start here, while the parent reads the catalogue
    except BaseException:  # reported once there is somebody to report to
        failure: tuple | None = _failure()
    else:
        failure = None
    try:
        job = conn.recv_bytes()
    except EOFError:
        return
    if failure is not None:
        return conn.send(failure)
    try:
        _send_batches(conn, pickle.loads(job))
    except BaseException:
        return conn.send(_failure())
    conn.send(("done",))


def _failure() -> tuple:
    """("failed", traceback, sentence or None) for the exception being handled: a
    sentence when it is one opsgen recognises (no Node.js, Node.js killed)."""
    import sys

    from opsgen.synth import failures

    return ("failed", traceback.format_exc(), failures.explain(sys.exc_info()[1] or RuntimeError()))


def _send_batches(conn: Connection, catalogue: Catalogue) -> None:
    """Each batch to the parent while fewer than AHEAD wait for it, else rendered here."""
    from opsgen.output.render import render_batch, sources

    ready, named = AHEAD, sources(catalogue)
    for batch in _batches(catalogue):
        ready += _readiness(conn)
        if ready:
            conn.send(("batch", batch, None))
            ready -= 1
        else:
            conn.send(("batch", batch.without_json(), render_batch(batch, named)))


def _ready(conn: Connection) -> None:
    """Tell the worker this process is ready for another batch to render."""
    try:
        conn.send_bytes(READY)
    except OSError:
        pass  # the worker has sent its last batch and ended


def _readiness(conn: Connection) -> int:
    """How many READY messages the parent has sent since the last look."""
    count = 0
    while conn.poll():
        conn.recv_bytes()
        count += 1
    return count


def _ignore(signum: int, frame: object) -> None:
    pass


def _end_now(signum: int, frame: object) -> None:
    """Nobody reads this worker any more: let go of the output streams it
    shares with its parent (`opsgen synth | cat` returns), end its kernel, exit."""
    quiet = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):
        os.dup2(quiet, stream)
    kernel.abandon()
    os._exit(128 + signum)


def _rendered(
    process: multiprocessing.process.BaseProcess, conn: Connection, source: Sources
) -> Iterator[tuple[Batch, dict[str, bytes]]]:
    """Each batch the worker sends with its files: rendered by the worker, or
    here (then the worker is told this process is ready for another)."""
    from opsgen.output.render import render_batch

    for batch, files in _results(process, conn):
        if files is None:
            files = render_batch(batch, source)
            _ready(conn)
        yield batch, files


def _results(
    process: multiprocessing.process.BaseProcess, conn: Connection
) -> Iterator[tuple[Batch, dict[str, bytes] | None]]:
    """(batch, its rendered files or None) as the worker sends them."""
    while True:
        try:
            message = conn.recv()
        except EOFError:
            raise RuntimeError(f"{process.name} ended without a result (exit code {process.exitcode})") from None
        if message[0] == "done":
            return
        if message[0] != "batch":
            if message[2]:
                raise EngineFailed(message[2])
            raise RuntimeError(f"{process.name} failed:\n{message[1]}")
        yield message[1], message[2]
