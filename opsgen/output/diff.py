"""What synth would change in an output directory: per file, the objects it
adds, changes or removes (kind, namespace, name) and a unified diff.

Files opsgen did not write are kept by synth (write.py), so they are no change.
Nothing is written; both sides' YAML documents are parsed to name the objects.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from opsgen.output.write import compare
from opsgen.report import Finding

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

ADDED, CHANGED, REMOVED = "added", "changed", "removed"
NULL = "/dev/null"
MARKDOWN_LIMIT = 60_000  # a GitHub comment holds 65,536 characters: diffs past this are left out


@dataclass(frozen=True)
class ObjectChange:
    change: str
    kind: str
    namespace: str | None
    name: str

    @property
    def ref(self) -> str:
        """``kind namespace/name`` (``kind name`` when cluster-scoped)."""
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"

    def __str__(self) -> str:
        return f"{self.change}: {self.ref}"


@dataclass(frozen=True)
class FileChange:
    path: str  # relative to the output directory
    change: str
    objects: tuple[ObjectChange, ...]  # empty when a side is not YAML opsgen can read
    diff: str  # unified, without a trailing newline


def changes(out: Path, files: dict[str, bytes]) -> list[FileChange]:
    """Every file synth would add, change or remove under ``out``, in path order."""
    drift = compare(out, files)
    found = (
        [(p, ADDED) for p in drift.missing]
        + [(p, CHANGED) for p in drift.changed]
        + [(p, REMOVED) for p in drift.extra]
    )
    shown = str(out)
    return [
        _file_change(shown, path, change, _read(out / path) if change != ADDED else "", _text(files.get(path, b"")))
        for path, change in sorted(found)
    ]


def _file_change(out: str, path: str, change: str, old: str, new: str) -> FileChange:
    here = f"{out}/{path}".lstrip("/")  # git's a/ and b/ prefixes, also for an absolute -o
    before = NULL if change == ADDED else f"a/{here}"
    after = NULL if change == REMOVED else f"b/{here}"
    lines = difflib.unified_diff(old.splitlines(), new.splitlines(), before, after, lineterm="")
    return FileChange(path, change, object_changes(old, new), "\n".join(lines))


def _read(path: Path) -> str:
    return _text(path.read_bytes())


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


# -- objects -------------------------------------------------------------------------------


def object_changes(old: str, new: str) -> tuple[ObjectChange, ...]:
    """The objects added, changed and removed between two YAML streams, in the order
    they appear (new side first); none when either side does not parse."""
    before, after = _objects(old), _objects(new)
    if before is None or after is None:
        return ()
    found = []
    for key, doc in after.items():
        if key not in before:
            found.append(ObjectChange(ADDED, *key))
        elif before[key] != doc:
            found.append(ObjectChange(CHANGED, *key))
    found += [ObjectChange(REMOVED, *key) for key in before if key not in after]
    return tuple(found)


def _objects(text: str) -> dict[tuple[str, str | None, str], Any] | None:
    try:
        docs = list(yaml.load_all(text, Loader=_Loader))
    except yaml.YAMLError:
        return None
    objects = {}
    for index, doc in enumerate(d for d in docs if d is not None):
        objects[_key(doc, index)] = doc
    return objects


def _key(doc: Any, index: int) -> tuple[str, str | None, str]:
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    if not isinstance(meta, dict) or not isinstance(doc.get("kind"), str):
        return ("(not an object)", None, f"document {index + 1}")
    namespace = meta.get("namespace")
    return (doc["kind"], str(namespace) if namespace is not None else None, str(meta.get("name")))


# -- output --------------------------------------------------------------------------------


def summary(found: list[FileChange]) -> str:
    counts = {c: sum(1 for f in found if f.change == c) for c in (ADDED, CHANGED, REMOVED)}
    return f"{len(found)} file{'s' if len(found) != 1 else ''} would change ({', '.join(f'{n} {c}' for c, n in counts.items())})"


def text(out: Path, found: list[FileChange]) -> str:
    """Per file: its change and objects, then its unified diff."""
    parts = []
    for change in found:
        parts.append(f"{change.change}: {out}/{change.path}\n")
        parts.extend(f"  {obj}\n" for obj in change.objects)
        parts.append(change.diff + "\n" if change.diff else "")
    return "".join(parts)


def markdown(out: Path, found: list[FileChange]) -> str:
    """A pull-request comment: a summary table, then one collapsible diff per file."""
    if not found:
        return f"**opsgen diff**: `{out}` is up to date; nothing would change.\n"
    rows = [f"| `{out}/{f.path}` | {f.change} | {'<br>'.join(str(o) for o in f.objects) or '—'} |" for f in found]
    parts = [
        f"**opsgen diff**: {summary(found)}\n\n| file | change | objects |\n|---|---|---|\n",
        "\n".join(rows),
        "\n",
    ]
    size = sum(len(p) for p in parts)
    for index, change in enumerate(found):
        block = _details(out, change)
        if size + len(block) > MARKDOWN_LIMIT:
            parts.append(
                f"\n{len(found) - index} more diffs left out (a comment holds 65,536 characters): run `opsgen diff` locally.\n"
            )
            break
        parts.append(block)
        size += len(block)
    return "".join(parts)


def _details(out: Path, change: FileChange) -> str:
    longest = max((len(run) for run in re.findall("`+", change.diff)), default=0)
    fence = "`" * max(3, longest + 1)  # a fence longer than any run of backticks in the diff
    title = f"{change.change}: {out}/{change.path}".replace("<", "&lt;")
    return f"\n<details><summary>{title}</summary>\n\n{fence}diff\n{change.diff}\n{fence}\n\n</details>\n"


def findings(out: Path, found: list[FileChange]) -> list[Finding]:
    """One finding per object (per file when its objects are unknown)."""
    result: list[Finding] = []
    for change in found:
        file = os.path.join(str(out), change.path)
        messages = [str(o) for o in change.objects] or [f"{change.change} file"]
        result.extend(Finding(file, 0, 0, f"{m} (run 'opsgen synth')") for m in messages)
    return result
