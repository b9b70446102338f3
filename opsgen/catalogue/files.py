"""Reading a file the catalogue names (``metrics.exposition``, and any other
path a catalogue field holds): one reader, one set of rules.

- The path is relative to the catalogue's folder and stays inside it: no
  absolute path, no ``..`` component, and no symbolic link that leads out (the
  path is resolved, then opened one component at a time without following
  links, so it cannot be swapped for a link in between).
- Only a regular file is read. Its type is checked with lstat before it is
  opened (a device is never opened), and with fstat after (opened with
  O_NOFOLLOW and O_NONBLOCK: a FIFO or a device can never block the read).
- At most MAX_BYTES (1 MiB) is read; a larger file is refused.
- No byte of a file ever appears in a message: FileRefused says why, in words.
"""

from __future__ import annotations

import os
import stat

MAX_BYTES = 1 << 20  # 1 MiB: an exposition file from a service's tests is a few KiB

_DIRECTORY = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


class FileRefused(Exception):
    """A named file that is not read; the message never quotes its content.
    ``str()`` is the reason; ``about(path)`` a sentence naming the file."""

    def __init__(self, reason: str, sentence: str = "'{path}' {reason}"):
        super().__init__(reason)
        self.sentence = sentence

    def about(self, path: str) -> str:
        return self.sentence.format(path=path, reason=self)


def read(base_dir: str, relative: str, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``relative`` (a path as written in the catalogue) under ``base_dir``."""
    parts = _checked_parts(base_dir, relative)
    directory = _open_directory(os.path.realpath(base_dir))
    try:
        for part in parts[:-1]:
            inner = _open_directory(part, directory)
            os.close(directory)
            directory = inner
        return _read_regular(directory, parts[-1], max_bytes)
    finally:
        os.close(directory)


def _checked_parts(base_dir: str, relative: str) -> list[str]:
    """The components of the resolved path below the resolved ``base_dir``."""
    if not relative or "\0" in relative:
        raise FileRefused("is not a file name")
    if os.path.isabs(relative) or relative.startswith("~"):
        raise FileRefused("must be a path relative to the catalogue's folder, not an absolute one")
    if ".." in relative.replace("\\", "/").split("/"):
        raise FileRefused("must stay inside the catalogue's folder ('..' is not allowed)")
    base = os.path.realpath(base_dir)
    resolved = os.path.realpath(os.path.join(base, relative))
    if os.path.commonpath([base, resolved]) != base or resolved == base:
        raise FileRefused("leads out of the catalogue's folder (through a symbolic link)")
    return os.path.relpath(resolved, base).split(os.sep)


def _open_directory(name: str, parent: int | None = None) -> int:
    try:
        return os.open(name, _DIRECTORY, dir_fd=parent)
    except OSError as exc:
        raise _cannot_read(exc) from None


def _read_regular(directory: int, name: str, max_bytes: int) -> bytes:
    try:
        _require_regular(os.stat(name, dir_fd=directory, follow_symlinks=False), max_bytes)
        handle = os.open(name, _FILE, dir_fd=directory)
    except OSError as exc:
        raise _cannot_read(exc) from None
    with os.fdopen(handle, "rb") as stream:
        _require_regular(os.fstat(handle), max_bytes)
        data = stream.read(max_bytes + 1)  # a file that grew (or lies about its size) is still capped
    if len(data) > max_bytes:
        raise FileRefused(f"is larger than {max_bytes} bytes")
    return data


def _require_regular(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(f"is not a regular file (it is {_kind(info.st_mode)})")
    if info.st_size > max_bytes:
        raise FileRefused(f"is larger than {max_bytes} bytes ({info.st_size})")


def _kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a directory",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISLNK: "a symbolic link",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def _cannot_read(exc: OSError) -> FileRefused:
    why = exc.strerror or type(exc).__name__
    return FileRefused(f"cannot be read: {why}", "cannot read '{path}': " + why.replace("{", "{{").replace("}", "}}"))


def text(base_dir: str, relative: str, max_bytes: int = MAX_BYTES) -> str:
    """``read`` decoded as UTF-8; invalid UTF-8 is refused by position, never by content."""
    data = read(base_dir, relative, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FileRefused(f"is not UTF-8 text (line {line}, byte {exc.start})") from None
