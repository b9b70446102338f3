"""Stage 5b, write: replace the output directory atomically, or compare against it.

A file is opsgen's when its first line is the generated-file header. Synth
replaces opsgen's files, removes opsgen's files that are no longer produced,
and keeps every other file. The new tree is built beside the old one and
swapped in with one rename (Linux renameat2 RENAME_EXCHANGE where available),
so an interrupted or failed run leaves the old output whole.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opsgen import conventions as conv

_HEADER = conv.HEADER.encode("utf-8")
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class Drift:
    """How an output directory differs from what synth would write."""

    missing: tuple[str, ...]
    changed: tuple[str, ...]
    extra: tuple[str, ...]  # opsgen's files that synth would remove
    kept: tuple[str, ...] = ()  # files opsgen did not write: synth keeps them, so they are no drift

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed or self.extra)

    def lines(self) -> list[str]:
        return (
            [f"missing: {p}" for p in self.missing]
            + [f"changed: {p}" for p in self.changed]
            + [f"extra:   {p}" for p in self.extra]
        )

    def notes(self) -> list[str]:
        return [f"not generated, kept: {p}" for p in self.kept]


def existing_files(out: Path) -> list[str]:
    """Every file under ``out``, relative, sorted ('/' separated)."""
    if not out.is_dir():
        return []
    return sorted(str(p.relative_to(out)).replace(os.sep, "/") for p in out.rglob("*") if p.is_file() or p.is_symlink())


def is_generated(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.readline().rstrip(b"\r\n") == _HEADER
    except OSError:
        return False


def compare(out: Path, files: dict[str, bytes]) -> Drift:
    """Missing, changed and extra files, as synth sees them: a file synth would
    not write is extra (synth removes it) when opsgen wrote it, else kept."""
    present = set(existing_files(out))
    missing = tuple(p for p in files if p not in present)
    changed = tuple(p for p in files if p in present and (out / p).read_bytes() != files[p])
    others = sorted(present - set(files))
    extra = tuple(p for p in others if is_generated(out / p))
    return Drift(missing, changed, extra, tuple(p for p in others if p not in extra))


def write(out: Path, files: dict[str, bytes]) -> None:
    """Make ``out`` hold ``files`` plus the files there that opsgen did not write."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.opsgen-", dir=out.parent))
    try:
        _keep_foreign(out, staging, files)
        for rel, body in files.items():
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        _swap(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _keep_foreign(out: Path, staging: Path, replaced: dict[str, bytes]) -> None:
    """Copy the files opsgen did not write into the new tree (a path that is
    written anew is replaced whoever wrote it: no need to open it)."""
    for rel in existing_files(out):
        source = out / rel
        if rel not in replaced and not is_generated(source):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, staging / rel, follow_symlinks=False)


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``; afterwards ``staging`` holds the old tree (or nothing)."""
    staging.chmod(0o755)
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    old = staging.with_name(staging.name + ".old")  # fallback: two renames
    os.rename(out, old)
    os.rename(staging, out)
    os.rename(old, staging)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
