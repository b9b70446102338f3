"""Reading an output directory without changing or following anything: its entries
(lstat only), which files are opsgen's (regular, the generated header, where opsgen
writes them), and how it differs from what synth would write (opsgen diff / check).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from opsgen import conventions as conv

_HEADER = conv.HEADER.encode("utf-8")
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


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


# --- reading the output directory (lstat only: no link is ever followed) ----


def scan(out: Path) -> dict[str, os.stat_result]:
    """Every entry under ``out`` (relative, '/' separated, parents before
    children) with its lstat; symbolic links are entries, never descended."""
    found: dict[str, os.stat_result] = {}
    pending = [("", out)] if out.is_dir() else []
    while pending:
        prefix, directory = pending.pop()
        with os.scandir(directory) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                info = entry.stat(follow_symlinks=False)
                found[prefix + entry.name] = info
                if stat.S_ISDIR(info.st_mode):
                    pending.append((prefix + entry.name + "/", Path(entry.path)))
    return found


def existing_files(out: Path) -> list[str]:
    """Every entry under ``out`` that is not a directory, relative, sorted."""
    return sorted(rel for rel, info in scan(out).items() if not stat.S_ISDIR(info.st_mode))


def _regular_bytes(path: Path, limit: int = -1) -> bytes | None:
    """The bytes of a regular file (the first line up to ``limit``); None for
    anything else: links are not followed, FIFOs and devices never opened for reading."""
    try:
        handle = os.open(path, _READ)
    except OSError:
        return None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return None
        return stream.readline(limit) if limit >= 0 else stream.read()


def is_generated(path: Path) -> bool:
    first = _regular_bytes(path, len(_HEADER) + 2)
    return first is not None and first.rstrip(b"\r\n") == _HEADER


# Where opsgen writes its files: <namespace>/<file> (one unnamed environment) or
# <environment>/<namespace>/<file>. Only a file of opsgen's at one of these depths makes a
# folder opsgen's output, and only those are opsgen's to remove: another checkout's dist/
# somewhere below (``-o ~``) is deeper, and is neither a reason nor a thing to delete.
_OUTPUT_DEPTHS = (2, 3)


def opsgen_files(out: Path, entries: dict[str, os.stat_result]) -> set[str]:
    """The entries of ``out`` that are opsgen's files: regular, with the header, where opsgen writes."""
    return {
        rel
        for rel, info in entries.items()
        if rel.count("/") + 1 in _OUTPUT_DEPTHS and stat.S_ISREG(info.st_mode) and is_generated(out / rel)
    }


def compare(out: Path, files: dict[str, bytes]) -> Drift:
    """Missing, changed and extra files, as synth sees them: a file synth would
    not write is extra (synth removes it) when opsgen wrote it, else kept."""
    entries = scan(out)
    present = {rel for rel, info in entries.items() if not stat.S_ISDIR(info.st_mode)}
    missing = tuple(p for p in files if p not in present)
    changed = tuple(p for p in files if p in present and _regular_bytes(out / p) != files[p])
    others = sorted(present - set(files))
    ours = opsgen_files(out, {p: entries[p] for p in others})
    extra = tuple(p for p in others if p in ours)
    return Drift(missing, changed, extra, tuple(p for p in others if p not in extra))


def unusable_path(out: Path) -> str | None:
    """Why ``out`` cannot even be looked at (a name too long for the file system, a
    symbolic link to itself), or None (it may not exist)."""
    try:
        os.stat(out)
    except FileNotFoundError:
        return None
    except OSError as exc:
        shown = str(out) if len(str(out)) <= 100 else str(out)[:97] + "..."
        return f"the output {shown} cannot be used: {exc.strerror or exc}"
    return None


def not_an_output_directory(out: Path) -> str | None:
    """Why synth must not take ``out`` over (it is not empty and holds no
    file opsgen wrote: a repository, a home folder), or None."""
    target = out.resolve() if out.is_symlink() else out
    if out.is_symlink() and not target.is_dir():
        return f"the output {out} is a symbolic link to {target}, which is not a directory"
    entries = scan(target)
    if entries and not opsgen_files(target, entries):
        return (
            f"the output directory {out} is not empty and holds no file opsgen wrote where opsgen writes "
            f"(<environment>/<namespace>/<file>, first line '{conv.HEADER}'); synth replaces its output "
            "directory: use a new or empty one"
        )
    return None
