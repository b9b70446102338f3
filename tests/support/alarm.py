"""Tests of reads that could block (FIFOs, /dev/zero) fail instead of hanging the suite."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def fail_after(seconds: int, message: str) -> Iterator[None]:
    """An AssertionError with ``message`` if the block is still running after ``seconds``."""

    def hung(signum, frame):
        raise AssertionError(message)

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
