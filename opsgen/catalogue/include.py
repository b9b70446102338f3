"""Stage 1b, include: one catalogue split into files, e.g. one per team for CODEOWNERS.

``include: [teams/*.yaml]`` in services.yaml lists glob patterns relative to the
catalogue's folder. The files each pattern matches are read in sorted order
(patterns in the order listed; a file matched twice is read once) and hold only
``services:`` and ``alerts:``, appended after the catalogue's own in that order.
The result is one Document whose every value is located in the file it is
written in, so the output is the same as for the catalogue written in one file
(but for the ``# source:`` header of a service's files, output/render.py: that file).

A pattern may not leave the catalogue's folder: no absolute paths, no ``..``,
and no symbolic link that leads outside it. Every problem is a located error
(the pattern's line in services.yaml, or file:line:col in the included file).
"""

from __future__ import annotations

import os
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from opsgen.catalogue import files, include_glob, load, schema
from opsgen.catalogue.files import FileRefused
from opsgen.errors import CatalogueError, Location, Problem, did_you_mean

INCLUDE = "include"
PARTS = tuple(schema.INCLUDED["properties"])  # what an included file may hold: services, alerts
_SEQ = "tag:yaml.org,2002:seq"
_STR = "tag:yaml.org,2002:str"


def load_catalogue(path: str) -> tuple[load.Document, list[Problem]]:
    """The catalogue with its included files, and every problem the includes
    have (the caller reports them with the catalogue's own). A catalogue that
    cannot be read or parsed raises CatalogueError as load.load_file does."""
    doc = load.load_file(path)
    patterns = doc.data.get(INCLUDE) if isinstance(doc.data, dict) else None
    if not isinstance(patterns, list):
        return doc, []  # no includes, or malformed ones: the schema says so
    problems: list[Problem] = []
    parts = [part for name in _matched(doc, patterns, problems) if (part := _read(name, problems)) is not None]
    combined = _combined(doc, parts)
    if "services" not in combined.data and not problems:
        where = doc.locate((INCLUDE,))
        problems.append(Problem(where, "the catalogue has no services: neither it nor the files it includes list any"))
    return combined, problems


# --- which files --------------------------------------------------------------------


def _matched(doc: load.Document, patterns: list[Any], problems: list[Problem]) -> list[str]:
    """The files the patterns name, as paths shown in messages (the catalogue's
    folder joined with the match), in include order, each once."""
    folder = os.path.dirname(doc.file)
    seen: list[str] = []
    walked: include_glob.Walked | None = None
    for index, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern:
            continue  # the schema reports it
        where = doc.locate((INCLUDE, index), value=True)
        if walked is None and not _unsafe_pattern(pattern):
            try:
                walked = include_glob.walk(folder or ".")
            except include_glob.TooManyEntries as exc:
                problems.append(Problem(where, f"include: {exc}; put the catalogue in a folder of its own"))
                return seen
        for name in _files_of(folder, pattern, doc.file, where, problems, walked):
            if name not in seen:
                seen.append(name)
    return seen


def _files_of(
    folder: str,
    pattern: str,
    catalogue: str,
    where: Location,
    problems: list[Problem],
    walked: include_glob.Walked | None,
) -> list[str]:
    unsafe = _unsafe_pattern(pattern)
    if unsafe or walked is None:
        problems.append(Problem(where, f"include: {pattern!r} {unsafe}"))
        return []
    found = include_glob.matches(pattern, walked)
    if not found:
        problems.append(
            Problem(where, f"include: {pattern!r} matches no file in the catalogue's folder ({folder or '.'})")
        )
    names = []
    for rel in found:
        name = os.path.join(folder, rel)
        wrong = _unsafe_match(folder or ".", name, catalogue)
        if wrong:
            problems.append(Problem(where, f"include: {pattern!r} matches {rel}, which {wrong}"))
        else:
            names.append(name)
    return names


def _unsafe_pattern(pattern: str) -> str | None:
    if any(ord(char) < 32 or char == "\x7f" for char in pattern):
        return "holds a control character (a NUL byte, a newline ...); no file name opsgen includes does"
    if os.path.isabs(pattern) or pattern.startswith("~"):
        return "is an absolute path; write it relative to the catalogue's folder"
    if ".." in pattern.replace("\\", "/").split("/"):
        return "leads outside the catalogue's folder ('..'); included files live in it or below it"
    return None


def _unsafe_match(folder: str, name: str, catalogue: str) -> str | None:
    """Why a matched file may not be included (None when it may). Symbolic
    links are followed only while they stay in the catalogue's folder."""
    real, home = os.path.realpath(name), os.path.realpath(folder)
    if os.path.commonpath([real, home]) != home:
        return "leads outside the catalogue's folder (a symbolic link); included files live in it or below it"
    if real == os.path.realpath(catalogue):
        return "is the catalogue itself"
    if not os.path.isfile(real):
        return "is not a regular file"
    return None


# --- what they hold -----------------------------------------------------------------


def _read(name: str, problems: list[Problem]) -> load.Document | None:
    """An included file, checked to hold only services and alerts (lists)."""
    real = os.path.realpath(name)  # a link inside the catalogue's folder is followed (_unsafe_match)
    try:  # the safe reader: a regular file, capped, never quoted
        text = files.text(os.path.dirname(real), os.path.basename(real), load.MAX_BYTES)
    except FileRefused as exc:
        problems.append(Problem(Location(name, 1, 1), f"the included file {exc}"))
        return None
    if not any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines()):
        problems.append(Problem(Location(name, 1, 1), f"the included file is empty: it holds {_PARTS_TEXT}"))
        return None
    try:
        part = load.load_text(text, name)
    except CatalogueError as exc:
        problems.extend(exc.problems)
        return None
    found = _shape_problems(part)
    problems.extend(found)
    return None if found else part


_PARTS_TEXT = "'services:' and/or 'alerts:' (lists, as in services.yaml)"


def _shape_problems(part: load.Document) -> list[Problem]:
    if not isinstance(part.data, dict):
        return [Problem(part.locate((), value=True), f"an included file is a mapping that holds {_PARTS_TEXT}")]
    out = []
    for key, value in part.data.items():
        if key not in PARTS:
            hint = did_you_mean(str(key), PARTS) or "; the rest of the catalogue stays in services.yaml"
            out.append(
                Problem(
                    part.locate((key,)),
                    f"unknown key '{key}' in an included file, which holds only services and alerts{hint}",
                )
            )
        elif not isinstance(value, list):
            out.append(
                Problem(part.locate((key,), value=True), f"{key} must be a list (of entries as in services.yaml)")
            )
    return out


# --- one document -------------------------------------------------------------------


def _combined(doc: load.Document, parts: list[load.Document]) -> load.Document:
    """The catalogue with each part's services and alerts appended, as data and
    as nodes; every appended entry remembers the file it came from."""
    data = dict(doc.data)
    pairs = list(doc.root.value)
    origins = dict(doc.origins)
    for key in PARTS:
        items = [(part, i, node) for part in parts for i, node in enumerate(_items(part.root, key))]
        if not items or not isinstance(data.get(key, []), list):
            continue  # nothing to add, or a catalogue's own list that is not one (the schema says so)
        data[key] = data.get(key, []) + [part.data[key][i] for part, i, _ in items]
        for part, _, node in items:
            origins[id(node)] = part.file
        pairs = _with_items(pairs, key, [node for _, _, node in items], doc.root)
    root = MappingNode(doc.root.tag, pairs, doc.root.start_mark, doc.root.end_mark, doc.root.flow_style)  # type: ignore[attr-defined]  # the root is a MappingNode
    return load.Document(doc.file, data, root, origins)


def _items(root: Node, key: str) -> list[Node]:
    for key_node, value in root.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key and isinstance(value, SequenceNode):
            return list(value.value)
    return []


def _with_items(pairs: list[tuple[Node, Node]], key: str, nodes: list[Node], root: Node) -> list[tuple[Node, Node]]:
    """The root's pairs with ``nodes`` appended to the list under ``key`` (made,
    at the top of the catalogue, when the catalogue has none of its own)."""
    for index, (key_node, value) in enumerate(pairs):
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            own = list(value.value) if isinstance(value, SequenceNode) else []
            joined = SequenceNode(_SEQ, own + nodes, value.start_mark, value.end_mark)
            return pairs[:index] + [(key_node, joined)] + pairs[index + 1 :]
    new_key = ScalarNode(_STR, key, root.start_mark, root.start_mark)
    return pairs + [(new_key, SequenceNode(_SEQ, nodes, root.start_mark, root.end_mark))]


def entry_label(doc: load.Document, key: str, index: int) -> str:
    """``services[2]`` as the user sees it: the index among the entries written in
    the same file (includes append to the catalogue's lists)."""
    if not doc.origins:  # one file: the index is the user's
        return f"{key}[{index}]"
    local = _local_indexes(doc, key)
    return f"{key}[{local[index]}]" if 0 <= index < len(local) else f"{key}[{index}]"


def _local_indexes(doc: load.Document, key: str) -> list[int]:
    """Each entry's index within its own file, computed once per document and key
    (an error per service must not cost a walk of the list each)."""
    cache = doc.local_indexes
    if key not in cache:
        counts: dict[str, int] = {}
        local = []
        for node in _items(doc.root, key):
            file = doc.origins.get(id(node), doc.file)
            local.append(counts.get(file, 0))
            counts[file] = local[-1] + 1
        cache[key] = local
    return cache[key]
