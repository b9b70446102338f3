"""The jsii bridge under cdk8s: which Node runtime it starts, and its shutdown.

jsii's Python runtime starts ``node jsii-runtime.js``, which spawns the jsii
kernel (program.js) as a second Node process and relays every message between
Python and the kernel through its own event loop. opsgen points jsii's
``JSII_RUNTIME`` setting at ``jsii_direct_runtime.js`` instead: the same
kernel, from the same pinned jsii package, in one Node process that reads
requests on stdin and answers on stdout. Every jsii call is one hop shorter
and each kernel is one Node process instead of two (docs/performance.md has
the figures).

The direct runtime reuses files and private calls of one jsii release, so it is
used only with exactly that release (``DIRECT_RUNTIME_JSII``, the pinned one):
any other jsii, ``OPSGEN_JSII_DIRECT=0``, a ``JSII_RUNTIME`` of your own, or a
system without ``/proc`` keeps jsii's stock runtime; the output is the same
either way.

The runtime's files are copied once into ``$TMPDIR/opsgen-jsii-<uid>-<digest>``
and reused by every later run (checked: a folder of this user's, mode 700,
the exact bytes), so a killed run leaves nothing behind. On Linux the Node
kernel is started with a parent-death signal: it ends when the process that
started it does, however that ends (SIGKILL included). Each kernel gets a
temporary folder of its own as its TMPDIR (jsii unpacks cdk8s there, about
4 MB), removed when the kernel ends; one that a kill left behind is removed
when the next kernel starts.
"""

from __future__ import annotations

import atexit
import ctypes
import functools
import gzip
import hashlib
import importlib.util
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from opsgen import held

WRAPPER = Path(__file__).with_name("jsii_direct_runtime.js")
# Files of jsii's embedded runtime the kernel needs, under the names it loads them by.
KERNEL_FILES = {"lib__program.js": "program.js", "lib__runtime-index-worker.js": "runtime-index-worker.js"}
_PR_SET_PDEATHSIG = 1  # linux/prctl.h
# A Node kernel's own temporary folder (its TMPDIR: jsii unpacks packages there),
# $TMPDIR/opsgen-kernel-<pid of the process that started it>-<random>, held
# (held.py) by that process while it lives.
SCRATCH_PREFIX = "opsgen-kernel-"
DIRECT_RUNTIME_JSII = "1.142.0"  # the jsii release the direct runtime was written for (a test keeps it the pinned one)
SCRATCH_MARKER = ".opsgen-kernel"
SCRATCH_MARKER_TEXT = b"opsgen: a Node kernel's temporary folder, removed when it ends\n"


def prepare(kernel_here: bool = True) -> None:
    """Use the direct runtime for the jsii kernel of this process and of the
    processes it forks. Call before cdk8s is first imported: jsii starts its
    kernel then, and reads ``JSII_RUNTIME`` once. ``kernel_here``: this process
    is about to start a kernel (a parent that only forks a worker passes False:
    it must not import jsii)."""
    embedded = _embedded_runtime()
    if not (kernel_started() or "JSII_RUNTIME" in os.environ or not _wanted() or embedded is None):
        files = {target: (embedded / source).read_bytes() for source, target in KERNEL_FILES.items()}
        files[WRAPPER.name] = WRAPPER.read_bytes()
        os.environ["JSII_RUNTIME"] = os.path.join(_runtime_folder(files), WRAPPER.name)
    if kernel_here and _jsii_version() == DIRECT_RUNTIME_JSII:  # its private names are that release's
        _guard_kernel()


def _runtime_folder(files: dict[str, bytes]) -> str:
    """A folder holding exactly ``files``: the one an earlier run made (reused),
    else a new one; a private one removed at exit when the shared one is not
    trustworthy (not this user's, writable by others, other bytes)."""
    digest = hashlib.sha256(b"".join(name.encode() + b"\0" + body for name, body in sorted(files.items()))).hexdigest()
    shared = os.path.join(tempfile.gettempdir(), f"opsgen-jsii-{os.geteuid()}-{digest[:20]}")
    if not os.path.lexists(shared):
        _publish(shared, files)
    if _holds_exactly(shared, files):
        return shared
    return _private_folder(files)


# Private runtime folders (when the shared one is not trustworthy): held by the process that
# made it (held.py), removed by it when it ends (atexit; stop() and abandon() in a forked
# worker, which never runs atexit), and by the next run if a kill left one behind.
PRIVATE_PREFIX = "opsgen-jsii-private-"
PRIVATE_MARKER = ".opsgen-jsii-private"
PRIVATE_MARKER_TEXT = b"opsgen: a private jsii runtime folder, removed when its process ends\n"
_PRIVATE: list[tuple[str, int, int]] = []  # (folder, marker descriptor, pid of its maker)


def _private_folder(files: dict[str, bytes]) -> str:
    base = tempfile.gettempdir()
    for entry in os.scandir(base):
        if entry.name.startswith(PRIVATE_PREFIX):
            marker = held.abandoned(entry.path, PRIVATE_MARKER, PRIVATE_MARKER_TEXT)
            if marker is not None:
                shutil.rmtree(entry.path, ignore_errors=True)
                os.close(marker)
    folder = tempfile.mkdtemp(prefix=PRIVATE_PREFIX, dir=base)
    _PRIVATE.append((folder, held.hold(folder, PRIVATE_MARKER, PRIVATE_MARKER_TEXT), os.getpid()))
    if len(_PRIVATE) == 1:
        atexit.register(_remove_private)
    return _fill(folder, files)


def _remove_private() -> None:
    """Remove the private runtime folders this process made (not its parent's: a forked
    worker shares those until its parent ends)."""
    for entry in [e for e in _PRIVATE if e[2] == os.getpid()]:
        shutil.rmtree(entry[0], ignore_errors=True)
        os.close(entry[1])
        _PRIVATE.remove(entry)


def _publish(shared: str, files: dict[str, bytes]) -> None:
    """Create ``shared`` whole or not at all (a concurrent run may win the rename)."""
    staging = _fill(tempfile.mkdtemp(prefix=os.path.basename(shared) + ".new-", dir=os.path.dirname(shared)), files)
    try:
        os.rename(staging, shared)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


def _fill(directory: str, files: dict[str, bytes]) -> str:
    for name, body in files.items():
        with open(os.path.join(directory, name), "xb") as handle:
            handle.write(body)
    return directory


def _holds_exactly(directory: str, files: dict[str, bytes]) -> bool:
    try:
        info = os.lstat(directory)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
            return False
        return sorted(os.listdir(directory)) == sorted(files) and all(
            _is_exactly(directory, n, b) for n, b in files.items()
        )
    except OSError:
        return False


def _is_exactly(directory: str, name: str, body: bytes) -> bool:
    handle = os.open(os.path.join(directory, name), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(handle, "rb") as stream:
        info = os.fstat(handle)
        return stat.S_ISREG(info.st_mode) and info.st_uid == os.geteuid() and stream.read(len(body) + 1) == body


def _guard_kernel() -> None:
    """How jsii starts this process's Node kernel, adjusted (importing jsii's
    process provider does not start a kernel):
    - Node gets a parent-death signal (Linux): it ends with this process,
      even one SIGKILL'ed;
    - each Node started is recorded, for ``abandon``;
    - with ``JSII_RUNTIME`` set, jsii no longer writes a copy of its stock
      runtime into a temporary folder it would not use (and a kill would leak)."""
    from jsii._kernel.providers import process

    if isinstance(process.subprocess, _Subprocess):
        return
    process.subprocess = _Subprocess(process.subprocess)  # type: ignore[assignment]  # jsii's private names, for the pinned release only
    stock = process._NodeProcess._jsii_runtime

    def runtime(self: object) -> str:
        return os.environ.get("JSII_RUNTIME") or stock(self)  # type: ignore[arg-type]  # jsii's private names, for the pinned release only

    process._NodeProcess._jsii_runtime = runtime  # type: ignore[method-assign]  # jsii's private names, for the pinned release only


class _Subprocess:
    """The subprocess module as jsii's process provider uses it, with a Popen
    whose children get SIGTERM when this process ends, and are recorded."""

    started: list[subprocess.Popen] = []
    scratch: dict[str, _Scratch] = {}  # each kernel's temporary folder

    def __init__(self, module: types.ModuleType):
        self._module = module

    def __getattr__(self, name: str) -> object:
        return getattr(self._module, name)

    def Popen(self, *args: object, env: dict[str, str] | None = None, **kwargs: object) -> subprocess.Popen:  # noqa: N802
        parent = os.getpid()
        _prctl()  # looked up here: the child between fork and exec must not load anything
        scratch = _scratch()  # known before Node starts: a signal may come while it does
        env = {**(env if env is not None else os.environ), "TMPDIR": scratch.folder}
        child = self._module.Popen(*args, preexec_fn=lambda: die_with_parent(parent), env=env, **kwargs)
        _Subprocess.started.append(child)
        scratch.node = child
        atexit.register(_clear_scratch)  # runs after jsii's own shutdown, registered after this returns
        return child


@dataclass
class _Scratch:
    """A kernel's temporary folder, the marker this process holds in it, and
    the kernel's Node process (None while it starts)."""

    folder: str
    marker: int
    node: subprocess.Popen | None = None


def _scratch() -> _Scratch:
    """A new temporary folder for a Node kernel, held by this process while
    it lives. Node removes what it unpacks there when it exits, but not when
    a signal ends it (a kill of opsgen; the parent-death signal): folders
    nobody holds are removed here, before another kernel starts."""
    base = tempfile.gettempdir()
    for entry in os.scandir(base):
        if entry.name.startswith(SCRATCH_PREFIX):
            _remove_abandoned(entry.path)
    folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base)
    scratch = _Scratch(folder, held.hold(folder, SCRATCH_MARKER, SCRATCH_MARKER_TEXT))
    _Subprocess.scratch[folder] = scratch
    return scratch


def _remove_abandoned(folder: str) -> None:
    """Remove ``folder`` if nobody holds it (held.abandoned)."""
    marker = held.abandoned(folder, SCRATCH_MARKER, SCRATCH_MARKER_TEXT)
    if marker is not None:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(marker)


def _clear_scratch(every: bool = False) -> None:
    """Remove the temporary folders of this process's kernels that have ended
    (``every``: of all of them, which are ending)."""
    for scratch in list(_Subprocess.scratch.values()):
        if every or (scratch.node is not None and scratch.node.poll() is not None):
            shutil.rmtree(scratch.folder, ignore_errors=True)
            os.close(scratch.marker)
            del _Subprocess.scratch[scratch.folder]


def abandon(grace: float = 2.0) -> None:
    """End this process's Node kernels now, from a signal handler of a process
    about to ``os._exit``: close their pipes (EOF: Node then exits and removes
    what it unpacked), wait up to ``grace`` seconds, then kill, and remove their
    temporary folders. Raw file descriptors only: the interrupted code may hold
    the file objects' locks."""
    live = [child for child in _Subprocess.started if child.returncode is None]
    for child in live:
        for stream in (child.stdin, child.stdout):
            try:
                os.close(stream.fileno())  # type: ignore[union-attr]  # jsii's private names, for the pinned release only
            except (OSError, ValueError, AttributeError):
                pass
    deadline = time.monotonic() + grace
    for child in live:
        while not _reaped(child.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not _reaped(child.pid):
            os.kill(child.pid, signal.SIGKILL)
    _clear_scratch(every=True)  # also a kernel still starting (it ends with this process)
    _remove_private()


def _reaped(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return True


def die_with_parent(parent: int, signum: int = signal.SIGTERM) -> None:
    """Linux: this process gets ``signum`` when its parent ends; if ``parent``
    has ended already (it raced us), end now. Elsewhere: nothing. Safe between
    fork and exec (prctl is looked up beforehand, in the parent)."""
    prctl = _prctl()
    if prctl is None:
        return
    prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(128 + signum)


@functools.lru_cache(maxsize=1)
def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    return getattr(ctypes.CDLL(None, use_errno=True), "prctl", None)  # the C library this process runs with


def load_assembly(source: Path) -> None:
    """Load the jsii assembly kept as plain files in ``source`` (package.json,
    its JavaScript, and the assembly itself as ``assembly.json``) into this
    process's kernel, packed as the tarball jsii expects. cdk8s (and so the
    kernel) must be imported first."""
    import jsii

    package = json.loads((source / "package.json").read_text(encoding="utf-8"))
    name = f"{package['name']}@{package['version']}.jsii.tgz"
    folder = _runtime_folder({name: _tarball(source)})  # reused by later runs, as the runtime is
    jsii.kernel.load(package["name"], package["version"], os.path.join(folder, name))


def _tarball(source: Path) -> bytes:
    """The package as jsii wants it, the same bytes every time (no times, no owners)."""
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as zipped, tarfile.open(fileobj=zipped, mode="w") as tar:
        for path in sorted(source.iterdir()):
            body = path.read_bytes()
            info = tarfile.TarInfo("package/" + (".jsii" if path.name == "assembly.json" else path.name))
            info.size, info.mode = len(body), 0o644
            tar.addfile(info, io.BytesIO(body))
    return packed.getvalue()


def stop() -> None:
    """Shut down this process's jsii kernel and wait for its Node process, as
    jsii does at interpreter exit (which a forked worker never reaches), then
    remove the private runtime folders this process made. Without it the
    kernel still ends, on its own, once its stdin closes."""
    if kernel_started():
        import jsii

        try:
            # jsii's own shutdown (a private name: only the pinned release gets here with its kernel guard)
            jsii.kernel.provider._process.stop()  # type: ignore[attr-defined]
        except (OSError, AttributeError):  # AttributeError: another jsii release, whose kernel ends at exit
            pass  # the kernel has ended already (^C reaches Node too)
        _clear_scratch()
    _remove_private()


def kernel_started() -> bool:
    """Whether this process may run a jsii kernel: jsii starts it when the
    first jsii package (constructs, cdk8s) is imported, and those import jsii
    first. A process that has one must not fork a worker (it would share its
    pipes), and can no longer choose its runtime."""
    return "jsii" in sys.modules


def _wanted() -> bool:
    return (
        os.environ.get("OPSGEN_JSII_DIRECT", "1") != "0"
        and os.path.isdir("/proc/self/fd")
        and _jsii_version() == DIRECT_RUNTIME_JSII
    )


def _jsii_version() -> str | None:
    """The installed jsii's version, read from its metadata (importing jsii would start nothing yet, but
    would make ``kernel_started`` true)."""
    from importlib import metadata

    try:
        return metadata.version("jsii")
    except metadata.PackageNotFoundError:
        return None


def _embedded_runtime() -> Path | None:
    """Where the installed jsii package keeps its runtime, found without importing it."""
    spec = importlib.util.find_spec("jsii")
    if spec is None or spec.origin is None:
        return None
    directory = Path(spec.origin).parent / "_embedded" / "jsii"
    return directory if all((directory / name).is_file() for name in KERNEL_FILES) else None
