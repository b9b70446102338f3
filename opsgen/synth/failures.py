"""Why the cdk8s engine could not run, in words: Node.js missing from PATH, or its
process ended (killed, out of memory) before answering. jsii reports these as a
FileNotFoundError or as a broken conversation (an empty reply, a closed pipe); the
CLI prints this sentence instead of a traceback (output/parallel.py asks)."""

from __future__ import annotations

import json
import signal
import subprocess

from opsgen.errors import EngineFailed
from opsgen.synth import kernel

# The CLI asks synth/node.py first (exit 2); this is for a Node that goes missing after it.
NO_NODE = "Node.js ('node') is not on PATH: cdk8s runs in a Node.js process (jsii); nothing was written"


def explain(exc: BaseException) -> str | None:
    """A sentence for an engine failure opsgen recognises, else None (a bug: a traceback is right)."""
    if isinstance(exc, EngineFailed):
        return str(exc)
    if isinstance(exc, FileNotFoundError) and "node" in str(exc.filename or exc):
        return NO_NODE
    broken = isinstance(exc, (json.JSONDecodeError, EOFError, OSError))  # the conversation with Node broke
    ended = [code for child in kernel._Subprocess.started if (code := _ended(child, 2.0 if broken else 0)) is not None]
    if not ended:
        return None
    code = ended[-1]
    how = f"exited with code {code}" if code >= 0 else f"was killed by {_signal_name(-code)}"
    if code in (133, -signal.SIGTRAP, 134, -signal.SIGABRT) or code == -signal.SIGKILL:
        how += " (out of memory? under ulimit -v or a small memory limit Node.js cannot start)"
    return f"cdk8s's Node.js process {how} before it finished; nothing was written"


def _ended(child: subprocess.Popen, grace: float) -> int | None:
    """The child's exit status, waiting up to ``grace`` seconds for one that is dying."""
    try:
        return child.wait(timeout=grace) if grace else child.poll()
    except subprocess.TimeoutExpired:
        return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
