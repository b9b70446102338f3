"""Folders held by the process that made them: a marker file inside, locked
(flock) while that process lives, whatever its pid namespace. A folder whose
marker nobody holds was left by a process that ended (a kill) and may be
removed. write.py's staging folders and bridge.py's Node kernel folders are
such folders.
"""

from __future__ import annotations

import fcntl
import os
import stat

_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def hold(folder: str | os.PathLike[str], marker: str, text: bytes) -> int:
    """Mark the new folder ``folder`` as held by this process: the marker's
    descriptor, locked until it is closed (or this process ends)."""
    held = os.open(os.path.join(folder, marker), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    fcntl.flock(held, fcntl.LOCK_EX)  # before the text: a marker being written is held
    os.write(held, text)
    return held


def abandoned(folder: str | os.PathLike[str], marker: str, text: bytes) -> int | None:
    """The marker, locked now by this process, when ``folder`` is a folder of
    this user's that was held and nobody holds any more; else None (then it is
    left alone). One a kill left before its marker was created is empty: it
    is removed here (rmdir removes nothing but an empty folder); one left
    before the marker's text was written holds just the marker, empty or cut
    short (see _marked)."""
    try:
        info = os.lstat(folder)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return None
        held = os.open(os.path.join(folder, marker), _READ)
    except OSError:
        try:
            os.rmdir(folder)
        except OSError:
            pass
        return None
    try:
        if stat.S_ISREG(os.fstat(held).st_mode) and _marked(folder, marker, text, os.read(held, 256)):
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return held
    except OSError:
        pass  # held: its process is running now
    os.close(held)
    return None


def _marked(folder: str | os.PathLike[str], marker: str, text: bytes, found: bytes) -> bool:
    """The marker's text, or the start of it in a folder holding nothing else
    (a kill between creating the marker and writing it)."""
    if found == text:
        return True
    return text.startswith(found) and os.listdir(folder) == [marker]
