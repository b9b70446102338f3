"""Output files as one YAML stream: their bytes, ``---`` between files.

Every output file ends with a newline and starts with comments (the generated
header), so the stream holds exactly the files' documents, none empty. It is
what ``opsgen show`` prints for one service and what ``npx cdk8s synth`` gets
for every object (one file: cdk8s-cli's ``--stdout`` copies each file it finds
to its output concurrently, so several files could interleave).
"""

from __future__ import annotations

import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

SEPARATOR = b"---\n"


def join(files: dict[str, bytes], paths: Iterable[str] | None = None) -> bytes:
    """The files at ``paths`` (default: all, in path order) as one stream."""
    return SEPARATOR.join(files[p] for p in (sorted(files) if paths is None else paths) if p in files)


_OWN_DESCRIPTOR = re.compile(r"/dev/(stdout|stderr|fd/([0-9]+))|/proc/self/fd/([0-9]+)")


def descriptor(path: Path) -> int | None:
    """The descriptor of this process that ``path`` names (/dev/stdout, /dev/fd/3), if any."""
    match = _OWN_DESCRIPTOR.fullmatch(str(path))
    if match is None:
        return None
    named = {"stdout": 1, "stderr": 2}.get(match.group(1) or "")
    return named if named is not None else int(match.group(2) or match.group(3))


class StreamRefused(Exception):
    """The stream's path holds something opsgen must not replace or write through."""


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, never replacing anything but a file of this user's:

    - nothing there: a new file, whole or not at all (a temporary file renamed in place);
    - a regular file of this user's with no other hard link: replaced the same way,
      keeping its mode;
    - a character device or a FIFO (``/dev/null``, ``/dev/stdout``, ``>(...)``), directly
      or through a symbolic link, and this process's own descriptors (``/dev/stdout``,
      ``/dev/fd/3``, whatever they are open on): written through, never replaced;
    - anything else (another user's file, a file with other hard links, a link to a
      file, a folder, a socket, a block device): StreamRefused, nothing changed."""
    number = descriptor(path)
    if number is not None:  # /dev/stdout > file: written to the descriptor, at its offset
        if number == 1:
            sys.stdout.flush()
        return _write_all(number, data)
    try:
        here = os.lstat(path)
    except FileNotFoundError:
        return _replace(path, data, None)
    target = os.stat(path) if stat.S_ISLNK(here.st_mode) and os.path.exists(path) else here
    if stat.S_ISCHR(target.st_mode) or stat.S_ISFIFO(target.st_mode):
        return _write_through(path, data)
    if stat.S_ISLNK(here.st_mode):
        raise StreamRefused(f"{path} is a symbolic link; opsgen neither replaces it nor writes through it to a file")
    if not stat.S_ISREG(here.st_mode):
        raise StreamRefused(f"{path} is not a regular file (a folder, a socket or a block device)")
    if here.st_uid != os.geteuid():
        raise StreamRefused(
            f"{path} belongs to another user (uid {here.st_uid}); opsgen replaces only its user's files"
        )
    if here.st_nlink > 1:
        raise StreamRefused(f"{path} has other hard links; replacing it would split them")
    return _replace(path, data, stat.S_IMODE(here.st_mode))


def write_or_say(path: Path, data: bytes, objects: int, written: str | None) -> bool:
    """write(), then one line saying so (on stderr when the stream is stdout itself); or one
    line on stderr naming the stream, and whether the output (``written``, the output
    directory, when it was) was written: False then."""
    try:
        write(path, data)
    except (OSError, StreamRefused) as exc:
        reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
        after = f"; the output {written} was written" if written else ""
        print(f"opsgen: error: the stream {path} was not written: {reason}{after}", file=sys.stderr)
        return False
    print(f"opsgen: {path}: {objects} objects in one stream", file=sys.stderr if descriptor(path) == 1 else sys.stdout)
    return True


def _write_through(path: Path, data: bytes) -> None:
    try:  # a FIFO nobody reads fails at once (ENXIO) instead of blocking
        handle = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise StreamRefused(f"{path} cannot be opened for writing: {exc.strerror or exc}") from None
    try:
        os.set_blocking(handle, True)
        _write_all(handle, data)
    finally:
        os.close(handle)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _replace(path: Path, data: bytes, mode: int | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644 if mode is None else mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
