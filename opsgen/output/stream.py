"""Output files as one YAML stream: their bytes, ``---`` between files.

Every output file ends with a newline and starts with comments (the generated
header), so the stream holds exactly the files' documents, none empty. It is
what ``opsgen show`` prints for one service and what ``npx cdk8s synth`` gets
for every object (one file: cdk8s-cli's ``--stdout`` copies each file it finds
to its output concurrently, so several files could interleave).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable

SEPARATOR = b"---\n"


def join(files: dict[str, bytes], paths: Iterable[str] | None = None) -> bytes:
    """The files at ``paths`` (default: all, in path order) as one stream."""
    return SEPARATOR.join(files[p] for p in (sorted(files) if paths is None else paths) if p in files)


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
