"""The include globs, matched against one walk of the catalogue's folder.

glob.glob walked the tree again for every pattern (4,000 patterns: 41 s) and
followed symbolic links that loop inside the folder (``teams/up -> ..``: ``**``
walked 2^40 paths). Here the folder is walked once, at most MAX_ENTRIES entries,
a linked folder followed only when it leads to a folder not walked yet (inside
the catalogue's folder: include.py refuses matches that lead out), and each
pattern is a regular expression matched against the walked paths, with glob's
meaning: ``*`` and ``?`` within one path component, ``[...]`` a set (``[!...]``
its complement), ``**`` any number of components, and no wildcard matching a
leading ``.`` (hidden files are matched only by a pattern that says so).
"""

from __future__ import annotations

import functools
import os
import re
from typing import NamedTuple

MAX_ENTRIES = 100_000  # files and folders walked below the catalogue's folder


class TooManyEntries(Exception):
    """The catalogue's folder holds more than MAX_ENTRIES entries."""


class Walked(NamedTuple):
    paths: list[str]  # every entry that is not a folder, '/'-separated, relative, sorted
    present: frozenset[str]
    entries: list[str]  # paths and folders (a pattern may name a folder: include.py says it is not a file)


def walk(folder: str) -> Walked:
    """Every entry below ``folder`` that is not a folder (files, links, anything)."""
    found: list[str] = []
    folders: list[str] = []
    seen = {os.path.realpath(folder)}
    pending = [("", folder)]
    count = 0
    while pending:
        prefix, directory = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        count += len(entries)
        if count > MAX_ENTRIES:
            raise TooManyEntries(f"the catalogue's folder holds more than {MAX_ENTRIES:,} files and folders to match")
        for entry in entries:
            rel = prefix + entry.name
            if entry.is_dir(follow_symlinks=True):
                folders.append(rel)
                real = os.path.realpath(entry.path)
                if real not in seen:  # a link back to a folder walked already is a loop
                    seen.add(real)
                    pending.append((rel + "/", entry.path))
            else:
                found.append(rel)
    return Walked(sorted(found), frozenset(found + folders), sorted(found + folders))


def matches(pattern: str, walked: Walked) -> list[str]:
    """The walked paths that ``pattern`` matches, sorted; a pattern without wildcards
    is looked up, not matched against every path."""
    if not _MAGIC.search(pattern):
        wanted = os.path.normpath(pattern).replace(os.sep, "/")
        return [wanted] if wanted in walked.present else []
    regex = _compiled(pattern)
    candidates = walked.paths if pattern.endswith("**") else walked.entries
    return [p for p in candidates if regex.fullmatch(p)]


_MAGIC = re.compile(r"[*?\[]")
_SET_SPECIAL = re.compile(r"[\\^\[&~|]")  # literal inside a glob set, special (or future set syntax) in re


@functools.lru_cache(maxsize=65536)
def _compiled(pattern: str) -> re.Pattern[str]:
    parts = [p for p in pattern.replace(os.sep, "/").split("/") if p not in ("", ".")]
    out = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            # zero or more components, none hidden; as the last part, files at any depth
            out += r"(?:[^/.][^/]*/)*" if not last else r"(?:[^/.][^/]*/)*[^/.][^/]*"
            continue
        out += _component(part) + ("" if last else "/")
    return re.compile(out, re.DOTALL)


def _component(part: str) -> str:
    out = "" if part.startswith(".") else r"(?!\.)"
    i = 0
    while i < len(part):
        char = part[i]
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[" and (end := _class_end(part, i)) > 0:
            body = part[i + 1 : end]
            negate = body[:1] == "!"
            body = body[1:] if negate else body
            out += "[" + ("^/" if negate else "") + _SET_SPECIAL.sub(r"\\\g<0>", body) + "]"
            i = end
        else:
            out += re.escape(char)
        i += 1
    return out


def _class_end(part: str, start: int) -> int:
    """Index of the ']' closing the set at ``start`` (fnmatch's rules), or -1."""
    i = start + 1
    if i < len(part) and part[i] == "!":
        i += 1
    if i < len(part) and part[i] == "]":
        i += 1
    end = part.find("]", i)
    return end
