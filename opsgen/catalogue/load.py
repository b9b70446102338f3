"""Stage 1, load: YAML text -> plain data plus a way back to line and column.

Safety rules, each a located error rather than a surprise:
- duplicate mapping keys are errors (PyYAML would silently keep the last);
- explicit tags other than the YAML core ones (``!!python/...``, ``!Ref``) are
  refused and never constructed;
- aliases may be used, but a document that expands to more than
  ``MAX_NODES`` nodes (an "alias bomb") is refused before it is expanded;
- a document nested more than ``MAX_DEPTH`` levels deep (directly or through
  aliases) is refused, so that no later stage can exhaust Python's stack;
- a scalar that its (explicit or implied) tag cannot hold (``!!int 'abc'``, an
  integer of thousands of digits) and a non-finite number (``.nan``, ``.inf``)
  are refused where they are written: no later stage sees them.
"""

from __future__ import annotations

import contextlib
import gc
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from opsgen.catalogue import yaml_forms
from opsgen.errors import CatalogueError, Location, Problem

try:  # libyaml when present: same nodes and marks, much faster
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml ships with the pinned PyYAML wheel
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_NODES = 2_000_000
MAX_BYTES = 64 << 20  # 64 MiB: 100,000 services are about 40 MiB; /dev/zero must not exhaust memory
MAX_DEPTH = 64  # a catalogue needs about 8; building and validating recurse
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")}
_SCALARS = SafeConstructor()
Path = Sequence["str | int"]


@dataclass
class Document:
    """The data of one YAML file and the node tree it came from."""

    file: str
    data: Any
    root: Node
    # Nodes written in another file (a catalogue's includes, see include.py): id -> that file.
    origins: dict[int, str] = field(default_factory=dict)
    # Each list entry's index within its own file, per key (include.entry_label), computed once.
    local_indexes: dict[str, list[int]] = field(default_factory=dict, repr=False, compare=False)
    # Each mapping's keys with its merges (<<:) expanded, once: every error location walks them.
    merged: dict[int, list] = field(default_factory=dict, repr=False, compare=False)

    def locate(self, path: Path, *, value: bool = False) -> Location:
        """Where ``path`` is written: its key (default) or its value, in the file
        it is written in.

        A path that does not exist resolves to its deepest existing parent,
        so errors about missing keys point at the mapping that lacks them.
        """
        node, key_node, file = self.root, None, self.file
        for part in path:
            found = _child(node, part, self.merged)
            if found is None:
                break
            key_node, node = found
            file = self.origins.get(id(node), file)
        mark = node.start_mark if value or key_node is None else key_node.start_mark
        return _location(file, mark)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic collector off while a catalogue is read and checked: the
    millions of small, acyclic objects of a large catalogue made it run again
    and again over all of them (composing 20,000 services took 9 s with it, 2 s
    without). Reference counting still frees everything; the collector is
    restored (and runs once) afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_text(text: str, file: str, *, yaml_11_numbers: bool = False) -> Document:
    """Parse ``text`` (the contents of ``file``) or raise CatalogueError.
    ``yaml_11_numbers``: YAML 1.1's number forms (010, 1:30) are allowed, as in files
    other YAML 1.1 readers consume (Helm's charts and values); the catalogue refuses them."""
    try:
        _check_text_depth(text, file)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise CatalogueError([_syntax_problem(file, exc)]) from None
    except yaml.reader.ReaderError as exc:  # control characters, bad bytes: one located line
        raise CatalogueError([_reader_problem(file, text, exc)]) from None
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())
        raise CatalogueError([Problem(Location(file, 1, 1), f"cannot read YAML: {detail}")]) from None
    if root is None:
        raise CatalogueError(
            [Problem(Location(file, 1, 1), "the catalogue is empty: it needs at least 'platform' and 'services'")]
        )
    problems: list[Problem] = []
    _check_nodes(root, file, problems, not yaml_11_numbers)
    if problems:
        raise CatalogueError(problems)
    builder = _Builder(file)
    data = builder.build(root)
    if builder.problems:
        raise CatalogueError(builder.problems)
    return Document(file, data, root)


def load_file(path: str) -> Document:
    """Read and parse a catalogue file; unreadable files are located errors too."""
    try:
        with open(path, "rb") as handle:  # a FIFO (-c <(...)) is fine: read, never more than the cap
            data = handle.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise CatalogueError(
                [
                    Problem(
                        Location(path, 1, 1),
                        f"the catalogue is larger than {MAX_BYTES:,} bytes; split it into files with include:",
                    )
                ]
            )
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise CatalogueError([Problem(Location(path, 1, 1), f"cannot read the catalogue: {reason}")]) from None
    return load_text(text, path)


def _syntax_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = _location(file, mark) if mark else Location(file, 1, 1)
    detail = exc.problem or "invalid YAML"
    if exc.context and exc.context_mark and exc.context_mark.line != (mark.line if mark else -1):
        detail = f"{detail} ({exc.context} at line {exc.context_mark.line + 1})"
    return Problem(where, f"YAML syntax error: {detail}")


def _reader_problem(file: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    position = min(max(exc.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    char = exc.character
    code = f"#x{ord(char):04x}" if isinstance(char, str) else f"#x{char:02x}"
    return Problem(Location(file, line, col), f"cannot read YAML: unacceptable character {code}: {exc.reason}")


def _location(file: str, mark: Any) -> Location:
    return Location(file, mark.line + 1, mark.column + 1)


def _check_nodes(root: Node, file: str, problems: list[Problem], plain_numbers: bool = True) -> None:
    """Refuse foreign tags, duplicate keys, misused merges, documents too large once
    expanded, and (``plain_numbers``) YAML 1.1's ambiguous number forms."""
    seen: set[int] = set()
    stack = [root]
    shared = False  # an alias: some node is reached twice
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            problems.append(Problem(_location(file, node.start_mark), _tag_message(node.tag)))
        elif not _tag_fits(node):
            problems.append(
                Problem(_location(file, node.start_mark), f"the tag '{_shown_tag(node.tag)}' does not fit this value")
            )
        elif plain_numbers and isinstance(node, ScalarNode) and yaml_forms.ambiguous_number(node):
            problems.append(Problem(_location(file, node.start_mark), yaml_forms.AMBIGUOUS))
        if isinstance(node, MappingNode):
            _check_duplicates(node, file, problems)
            problems.extend(
                Problem(_location(file, n.start_mark), yaml_forms.BAD_MERGE) for n in yaml_forms.bad_merges(node)
            )
        stack.extend(_children(node))
    if problems or not shared:
        return  # without aliases the document is as large and as deep as its text (_check_text_depth)
    _check_aliases(root, file, problems)


def _check_aliases(root: Node, file: str, problems: list[Problem]) -> None:
    """A document that reuses nodes through aliases: not too deep, not recursive, not too large once expanded."""
    _check_depth(root, file, problems)
    if problems:
        return
    size = _expanded_size(root, {})
    if size is None:
        problems.append(
            Problem(
                _location(file, root.start_mark),
                "an alias refers to a node that contains it (a recursive alias); remove the cycle",
            )
        )
    elif size > MAX_NODES:
        problems.append(
            Problem(
                _location(file, root.start_mark),
                f"the document expands to more than {MAX_NODES:,} nodes through aliases "
                "(an alias bomb?); write the repeated parts out or use fewer nested aliases",
            )
        )


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_text_depth(text: str, file: str) -> None:
    """Refuse deep nesting before composing: libyaml's composer recurses in C
    and crashes the interpreter (SIGSEGV) at some 30,000 levels, and its parser
    slows quadratically long before. Stops at the first node too deep."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                where = _location(file, event.start_mark)
                raise CatalogueError([Problem(where, f"the document is nested more than {MAX_DEPTH} levels deep")])
        elif isinstance(event, _CLOSE):
            depth -= 1


def _check_depth(root: Node, file: str, problems: list[Problem]) -> None:
    """Refuse documents nested deeper than MAX_DEPTH once aliases are expanded
    (iteratively: the check itself must not overflow); cycles are left to
    _expanded_size."""
    heights: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if children_done:
            heights[id(node)] = 1 + max((heights[id(c)] for c in _children(node)), default=0)
            continue
        if heights.get(id(node)) == -1:
            return  # a recursive alias
        if id(node) in heights:
            continue
        heights[id(node)] = -1
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))
    if heights[id(root)] <= MAX_DEPTH:
        return
    node = root
    for _ in range(MAX_DEPTH):  # down the deepest branch to the first node too deep
        node = max(_children(node), key=lambda c: heights[id(c)])
    problems.append(
        Problem(_location(file, node.start_mark), f"the document is nested more than {MAX_DEPTH} levels deep")
    )


_COLLECTION_TAGS = {MappingNode: _CORE + "map", SequenceNode: _CORE + "seq"}


def _tag_fits(node: Node) -> bool:
    """``!!map`` only on mappings, ``!!seq`` only on sequences, scalar tags only on scalars."""
    wanted = _COLLECTION_TAGS.get(type(node))  # type: ignore[arg-type]  # keyed by the node classes themselves
    if wanted is not None:
        return node.tag == wanted
    return node.tag not in _COLLECTION_TAGS.values()


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _tag_message(tag: str) -> str:
    shown = _shown_tag(tag)
    return f"the tag '{shown}' is not allowed: a catalogue holds plain mappings, lists, strings, numbers and booleans"


def _check_duplicates(node: MappingNode, file: str, problems: list[Problem]) -> None:
    first: dict[str, Node] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode):
            problems.append(Problem(_location(file, key.start_mark), "mapping keys must be plain strings"))
            continue
        if key.tag == _CORE + "merge":
            continue
        if key.value in first:
            line = first[key.value].start_mark.line + 1
            problems.append(
                Problem(
                    _location(file, key.start_mark),
                    f"duplicate key '{key.value}' (first defined at line {line}); remove one of them",
                )
            )
        else:
            first[key.value] = key


def _expanded_size(root: Node, sizes: dict[int, int]) -> int | None:
    """Size of the tree once aliases are expanded, memoised per node, without
    expanding anything; None when an alias makes a cycle."""
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:  # iterative post-order: deep documents must not overflow
        node, children_done = stack.pop()
        if children_done:
            sizes[id(node)] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if sizes.get(id(node)) == -1:
            return None  # reached again while its own children are pending
        if id(node) in sizes:
            continue
        sizes[id(node)] = -1
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node))
    return sizes[id(root)]


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


class _Builder:
    """Turns checked nodes into dicts, lists and scalars; aliases share one value.
    A scalar its tag cannot hold becomes a problem (and None in the data)."""

    def __init__(self, file: str) -> None:
        self._done: dict[int, Any] = {}
        self._merged: dict[int, list] = {}
        self.file = file
        self.problems: list[Problem] = []

    def build(self, node: Node) -> Any:
        if id(node) in self._done:
            return self._done[id(node)]
        if isinstance(node, MappingNode):
            value: Any = {}
            self._done[id(node)] = value
            for key, item in yaml_forms.merged_pairs(node, self._merged):
                value.setdefault(key.value, self.build(item))
        elif isinstance(node, SequenceNode):
            value = []
            self._done[id(node)] = value
            value.extend(self.build(item) for item in node.value)
        else:
            value, reason = _checked_scalar(node)
            if reason:
                self.problems.append(Problem(_location(self.file, node.start_mark), reason))
            self._done[id(node)] = value
        return value


def _checked_scalar(node: Node) -> tuple[Any, str | None]:
    """The value of a scalar, or (None, why it cannot be used). Never echoes the
    text: it may be anything (a secret pasted in the wrong place)."""
    try:
        value = _scalar(node)
    except (ValueError, TypeError, KeyError, OverflowError, yaml.constructor.ConstructorError):
        kind = {"int": "an integer", "float": "a number", "bool": "true or false"}.get(
            node.tag[len(_CORE) :], "a value"
        )
        hint = " (at most 4300 digits)" if node.tag == _CORE + "int" and len(node.value) > 4300 else ""
        return None, f"this is not {kind}{hint}; write one, or quote the text to make it a string"
    if isinstance(value, float) and not math.isfinite(value):
        return None, "numbers must be finite (.nan and .inf are not allowed)"
    return value, None


def _scalar(node: Node) -> Any:
    tag = node.tag
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return _SCALARS.construct_yaml_bool(node)  # type: ignore[arg-type]  # a scalar node here (checked above)
    if tag == _CORE + "int":
        return _SCALARS.construct_yaml_int(node)  # type: ignore[arg-type]  # a scalar node here (checked above)
    if tag == _CORE + "float":
        return _SCALARS.construct_yaml_float(node)  # type: ignore[arg-type]  # a scalar node here (checked above)
    return node.value  # str, and timestamps kept as the text the user wrote


def _child(node: Node, part: str | int, merged: dict[int, list]) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode) and isinstance(part, str):
        for key, value in yaml_forms.merged_pairs(node, merged):
            if isinstance(key, ScalarNode) and key.value == part:
                return key, value
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None
