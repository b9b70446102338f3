"""One safe way to read a YAML file that a catalogue's repository holds (the stack
check's charts/**/*.yaml and helmfile ``values:`` files; anything else opsgen reads
beside the catalogue):

- the file goes through files.read: relative to its folder, no absolute path, no
  ``..``, no symbolic link leading out, only a regular file (a FIFO, a device or a
  link to /dev/zero is refused without blocking: lstat, then O_NOFOLLOW|O_NONBLOCK,
  then fstat), at most MAX_BYTES;
- its text goes through load.load_text: duplicate keys, foreign tags, alias bombs
  (over load.MAX_NODES once expanded, measured without expanding), recursion and
  nesting over load.MAX_DEPTH are located errors, never a hang or a traceback.
  YAML 1.1 number forms stay allowed (Helm reads them as PyYAML does).
"""

from __future__ import annotations

from opsgen.catalogue import files, load
from opsgen.catalogue.files import FileRefused
from opsgen.errors import CatalogueError, Location, Problem

MAX_BYTES = 4 << 20  # 4 MiB: the largest values.yaml of the pinned charts is about 200 KiB


def read_yaml(base_dir: str, relative: str, *, shown: str | None = None, max_bytes: int = MAX_BYTES) -> load.Document:
    """The YAML file ``relative`` under ``base_dir`` as a located Document (``.data`` is
    the plain data, ``.locate(path)`` where a value is written). Raises CatalogueError
    with located problems, the file named ``shown`` (default ``relative``) in them,
    whether it cannot be read or cannot be parsed."""
    name = shown or relative
    try:
        raw = files.read(base_dir, relative, max_bytes)
        text = raw.decode("utf-8")
    except FileRefused as exc:
        raise CatalogueError([Problem(Location(name, 1, 1), exc.about(name))]) from None
    except UnicodeDecodeError:
        raise CatalogueError([Problem(Location(name, 1, 1), f"'{name}' is not UTF-8 text")]) from None
    return load.load_text(text, name, yaml_11_numbers=True)
