"""The jsii bridge under cdk8s: which Node runtime it starts, and its shutdown.

jsii's Python runtime starts ``node jsii-runtime.js``, which spawns the jsii
kernel (program.js) as a second Node process and relays every message between
Python and the kernel through its own event loop. opsgen points jsii's
``JSII_RUNTIME`` setting at ``jsii_direct_runtime.js`` instead: the same
kernel, from the same pinned jsii package, in one Node process that reads
requests on stdin and answers on stdout. Every jsii call is one hop shorter
and each kernel is one Node process instead of two (docs/performance.md has
the figures).

``OPSGEN_JSII_DIRECT=0``, a ``JSII_RUNTIME`` of your own, or a system without
``/proc`` keeps jsii's stock runtime; the output is the same either way.
"""
from __future__ import annotations

import atexit
import importlib.util
import json
import os
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path

WRAPPER = Path(__file__).with_name("jsii_direct_runtime.js")
# Files of jsii's embedded runtime the kernel needs, under the names it loads them by.
KERNEL_FILES = {"lib__program.js": "program.js", "lib__runtime-index-worker.js": "runtime-index-worker.js"}


def prepare() -> None:
    """Use the direct runtime for the jsii kernel of this process and of the
    processes it forks. Call before cdk8s is first imported: jsii starts its
    kernel then, and reads ``JSII_RUNTIME`` once."""
    if kernel_started() or "JSII_RUNTIME" in os.environ or not _wanted():
        return
    embedded = _embedded_runtime()
    if embedded is None:
        return
    directory = tempfile.mkdtemp(prefix="opsgen-jsii-")
    atexit.register(_remove, directory, os.getpid())
    for source, target in KERNEL_FILES.items():
        shutil.copyfile(embedded / source, os.path.join(directory, target))
    shutil.copyfile(WRAPPER, os.path.join(directory, WRAPPER.name))
    os.environ["JSII_RUNTIME"] = os.path.join(directory, WRAPPER.name)


def load_assembly(source: Path) -> None:
    """Load the jsii assembly kept as plain files in ``source`` (package.json,
    its JavaScript, and the assembly itself as ``assembly.json``) into this
    process's kernel, packed as the tarball jsii expects. cdk8s (and so the
    kernel) must be imported first."""
    import jsii

    package = json.loads((source / "package.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="opsgen-jsii-") as directory:
        tarball = os.path.join(directory, f"{package['name']}@{package['version']}.jsii.tgz")
        with tarfile.open(tarball, "w:gz") as tar:
            for path in sorted(source.iterdir()):
                name = ".jsii" if path.name == "assembly.json" else path.name
                tar.add(path, arcname=f"package/{name}")
        jsii.kernel.load(package["name"], package["version"], tarball)


def stop() -> None:
    """Shut down this process's jsii kernel and wait for its Node process, as
    jsii does at interpreter exit (which a forked worker never reaches).
    Without it the kernel still ends, on its own, once its stdin closes."""
    if not kernel_started():
        return
    import jsii

    try:
        jsii.kernel.provider._process.stop()  # jsii's own shutdown (private: the version is pinned)
    except OSError:
        pass  # the kernel has ended already (^C reaches Node too)


def kernel_started() -> bool:
    """Whether this process may run a jsii kernel: jsii starts it when the
    first jsii package (constructs, cdk8s) is imported, and those import jsii
    first. A process that has one must not fork workers (they would share its
    pipes), and can no longer choose its runtime."""
    return "jsii" in sys.modules


def _wanted() -> bool:
    return os.environ.get("OPSGEN_JSII_DIRECT", "1") != "0" and os.path.isdir("/proc/self/fd")


def _embedded_runtime() -> Path | None:
    """Where the installed jsii package keeps its runtime, found without importing it."""
    spec = importlib.util.find_spec("jsii")
    if spec is None or spec.origin is None:
        return None
    directory = Path(spec.origin).parent / "_embedded" / "jsii"
    return directory if all((directory / name).is_file() for name in KERNEL_FILES) else None


def _remove(directory: str, owner: int) -> None:
    if os.getpid() == owner:  # not in forked children, which share it
        shutil.rmtree(directory, ignore_errors=True)
