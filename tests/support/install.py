"""opsgen as a user installs it: a wheel built from a copy of this checkout, installed
into a fresh venv with the runtime pins (the pip cache makes it take seconds)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
PIP = ["--disable-pip-version-check", "-q"]
TIMEOUT = 600


def copy_of_the_checkout(target: Path) -> Path:
    """The checkout's files as a fresh clone has them (tracked and new, not ignored),
    symbolic links kept as links (opsgen/scaffold/templates/stack links to the stack)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for rel in filter(None, listed):
        source, copy = REPO / rel, target / rel
        if not os.path.lexists(source):
            continue  # deleted in the work tree, not yet in the index
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), copy)
        elif source.is_file():
            shutil.copy2(source, copy)
    return target


def build_wheel(work: Path) -> Path:
    """opsgen's wheel, built from a copy of the checkout (a build leaves build/ beside pyproject.toml)."""
    source = copy_of_the_checkout(work / "source")
    wheels = work / "wheels"
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        *PIP,
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(wheels),
        str(source),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = wheels.glob("opsgen-*.whl")
    return wheel


def fresh_venv(venv: Path, *requirements: str) -> Path:
    """A new venv (no system site-packages) with ``requirements`` installed under the runtime pins."""
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=TIMEOUT)
    command = [
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        *PIP,
        "-c",
        str(REPO / "constraints.txt"),
        *requirements,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    return venv


def user_path(*folders: Path) -> str:
    """PATH with ``folders`` first, then the system's, without this test run's venv:
    what a user's shell has once opsgen is installed."""
    ours = str(Path(sys.executable).parent)
    kept = [
        p for p in os.environ.get("PATH", "").split(os.pathsep) if p and os.path.realpath(p) != os.path.realpath(ours)
    ]
    return os.pathsep.join([*map(str, folders), *kept])
