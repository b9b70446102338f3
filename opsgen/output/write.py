"""Stage 5b, write: replace the output directory atomically, or compare against it.

A file is opsgen's when it is a regular file whose first line is the
generated-file header. Synth replaces opsgen's files, removes opsgen's files
that are no longer produced, and keeps everything else exactly: files,
symbolic links, FIFOs, sockets and empty folders, with their inodes (kept by
hard link: owner, mode, times and other hard links stay as they are), and
folders with their owner, mode and (where opsgen changes nothing in them)
times. A file opsgen writes anew keeps the owner and mode of the one it
replaces.

Nothing is changed until everything can be kept. Synth refuses, naming each
path, when the output directory is not one (not empty and no file of
opsgen's in it), when a path it writes holds something it did not write (a
hand-written file, a link, a folder), when a folder it writes into is a
symbolic link (never written through), and when a file it replaces has other
hard links. Links are never followed and only regular files are opened
(O_NOFOLLOW, O_NONBLOCK): a link to /dev/zero or a FIFO is just an entry.

The new tree is built in a staging folder beside the old one,
``.<out>.opsgen-<random>/tree``, and swapped in with one rename (Linux
renameat2 RENAME_EXCHANGE), or where that is missing with two renames, the
first undone if the second fails. An interrupted or failed run leaves the
old output whole. Staging folders carry a marker (conventions.STAGING_MARKER)
that their run holds locked; the next synth removes those a kill left behind,
and puts the old tree back if a kill fell between the two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from opsgen import conventions as conv
from opsgen import held
from opsgen.errors import OutputRefused
from opsgen.output.outdir import (  # noqa: F401 (re-exported: callers read the output directory through write)
    Drift,
    compare,
    existing_files,
    is_generated,
    not_an_output_directory,
    opsgen_files,
    scan,
    unusable_path,
)

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


# --- the plan: what is kept, replaced, removed (refused before any change) ---


@dataclass(frozen=True)
class _Plan:
    root: os.stat_result | None  # the output directory itself, when it exists
    dirs: dict[str, os.stat_result]  # folders kept, parents first
    keep: list[str]  # entries hard-linked into the new tree
    replace: dict[str, os.stat_result]  # opsgen's files written anew
    touched: set[str]  # folders whose entries change
    seen: dict[str, os.stat_result]  # everything that was there


def plan(out: Path, shown: str, files: dict[str, bytes]) -> _Plan:
    """What synth will do to ``out``; OutputRefused (every problem) when it cannot keep something."""
    entries = scan(out)
    generated = opsgen_files(out, entries)
    if entries and not generated:
        raise OutputRefused([not_an_output_directory(out) or shown])
    problems = [p for rel in files for p in _conflicts(rel, shown, entries, generated)]
    if problems:
        raise OutputRefused(problems)
    kept = [rel for rel, i in entries.items() if not stat.S_ISDIR(i.st_mode) and rel not in generated]
    dirs = _kept_dirs(entries, [*kept, *files])
    dropped = [rel for rel, i in entries.items() if stat.S_ISDIR(i.st_mode) and rel not in dirs]
    return _Plan(
        root=os.lstat(out) if out.is_dir() else None,
        dirs=dirs,
        keep=kept,
        replace={rel: entries[rel] for rel in files if rel in entries},
        touched={_parent(rel) for rel in [*files, *generated, *dropped]},
        seen=entries,
    )


def _conflicts(rel: str, shown: str, entries: dict[str, os.stat_result], generated: set[str]) -> list[str]:
    """Why ``rel`` cannot be written: something not opsgen's on its way or in its place."""
    parts = rel.split("/")
    for depth in range(1, len(parts)):
        folder = "/".join(parts[:depth])
        info = entries.get(folder)
        if info is None or stat.S_ISDIR(info.st_mode) or (stat.S_ISREG(info.st_mode) and folder in generated):
            continue
        what = "a symbolic link: synth never writes through one" if stat.S_ISLNK(info.st_mode) else f"{_kind(info)}"
        return [
            f"{shown}/{folder} is {what}, and synth writes the folder {shown}/{folder}/; move it away and run again"
        ]
    info = entries.get(rel)
    if info is None:
        return []
    if rel not in generated:
        return [
            f"{shown}/{rel} was not written by opsgen ({_kind(info)} without the generated header), "
            "and synth writes this path; move it away (or delete it) and run again"
        ]
    if info.st_nlink > 1:
        return [
            f"{shown}/{rel} has {info.st_nlink} hard links, which writing it anew would break; "
            "remove the other links (or copy the file) and run again"
        ]
    return []


def _kind(info: os.stat_result) -> str:
    mode = info.st_mode
    kinds = {
        stat.S_ISREG: "a file",
        stat.S_ISDIR: "a folder",
        stat.S_ISLNK: "a symbolic link",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISSOCK: "a socket",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
    }
    return next((name for test, name in kinds.items() if test(mode)), "a special file")


def _kept_dirs(entries: dict[str, os.stat_result], kept: list[str]) -> dict[str, os.stat_result]:
    """Folders that hold something kept or written, and empty folders (someone
    made them); a folder whose entries were all opsgen's stale files goes with them."""
    nonempty = {_parent(rel) for rel in entries}
    empty = [rel for rel, i in entries.items() if stat.S_ISDIR(i.st_mode) and rel not in nonempty]
    wanted: set[str] = set()
    for rel in kept + empty:
        folder = rel if rel in empty else _parent(rel)
        while folder and folder not in wanted:
            wanted.add(folder)
            folder = _parent(folder)
    return {rel: info for rel, info in entries.items() if rel in wanted}


def _parent(rel: str) -> str:
    return rel.rpartition("/")[0]


# --- writing -----------------------------------------------------------------


def write(out: Path, files: dict[str, bytes]) -> list[str]:
    """Make ``out`` hold ``files`` plus everything there that opsgen did not
    write. Returns warnings: what appeared in ``out`` while synth ran and could
    not be put back in place (it is kept, in a staging folder no run removes)."""
    shown = str(out)
    out = _target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(out)
    todo = plan(out, shown, files)
    staging = _Staging(out)
    old, stranded = None, []
    try:
        _fill(staging.tree, out, shown, todo, files)
        old = _swap(staging, out)
        stranded = _put_back(old, out, todo.seen) if old is not None else []
    finally:
        staging.remove(keep=bool(stranded))
    return [
        f"{shown}/{rel} appeared while synth ran and could not be put back; it is kept in {old}/{rel}"
        for rel in stranded
    ]


def _put_back(old: Path, out: Path, seen: dict[str, os.stat_result]) -> list[str]:
    """Entries that appeared in the old tree after it was read (a concurrent
    writer) go back to their place in the new one, the same inodes; those whose
    place is taken are returned (and left where they are)."""
    stranded: list[str] = []
    moved: list[str] = []
    for rel, info in scan(old).items():
        if _unchanged(seen.get(rel), info, out / rel) or any(rel.startswith(m + "/") for m in moved):
            continue
        if _free(out / rel):
            os.rename(old / rel, out / rel)
            moved.append(rel)
        else:
            stranded.append(rel)
    return stranded


def _unchanged(before: os.stat_result | None, now: os.stat_result, place: Path) -> bool:
    """Read before (a folder, or the same inode not modified since: inode numbers
    are reused), or the very inode that is at its place in the new tree."""
    same = before is not None and (before.st_ino, before.st_mtime_ns) == (now.st_ino, now.st_mtime_ns)
    if before is not None and (stat.S_ISDIR(now.st_mode) or same):
        return True
    try:
        return os.lstat(place).st_ino == now.st_ino and not stat.S_ISDIR(now.st_mode)
    except OSError:
        return False


def _free(place: Path) -> bool:
    """Nothing is at ``place``, and its folder is a folder (not a link)."""
    try:
        return not os.path.lexists(place) and stat.S_ISDIR(os.lstat(place.parent).st_mode)
    except OSError:
        return False


def _target(out: Path) -> Path:
    """``-o`` given a symbolic link: synth writes the folder it points to and leaves the link alone."""
    out = out.absolute()
    if out.is_symlink():
        target = out.resolve()
        if not target.is_dir():
            raise OutputRefused([f"the output {out} is a symbolic link to {target}, which is not a directory"])
        return target
    return out


def _fill(tree: Path, out: Path, shown: str, todo: _Plan, files: dict[str, bytes]) -> None:
    os.mkdir(tree)
    for rel in todo.dirs:
        os.mkdir(tree / rel)
    for rel in todo.keep:
        _link(out / rel, tree / rel, f"{shown}/{rel}")
    for rel, body in files.items():
        target = tree / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        if rel in todo.replace:
            _keep_owner_and_mode(target, todo.replace[rel], f"{shown}/{rel}")
    for rel, info in reversed(list(todo.dirs.items())):  # children first: a folder may be read-only
        _keep_folder(tree / rel, info, rel not in todo.touched, f"{shown}/{rel}")
    if todo.root is not None:
        _keep_folder(tree, todo.root, "" not in todo.touched, shown)


def _link(source: Path, target: Path, shown: str) -> None:
    """The same inode under the new tree: owner, mode, times and other hard links kept."""
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError as exc:
        raise OutputRefused(
            [
                f"{shown} cannot be kept as it is ({exc.strerror}: synth keeps files by hard link "
                "in a new tree beside the old one); move it away and run again"
            ]
        ) from None


def _keep_owner_and_mode(path: Path, old: os.stat_result, shown: str) -> None:
    now = os.lstat(path)
    if (now.st_uid, now.st_gid) != (old.st_uid, old.st_gid):
        try:
            os.chown(path, old.st_uid, old.st_gid, follow_symlinks=False)
        except OSError as exc:
            raise OutputRefused(
                [f"{shown} cannot keep its owner {old.st_uid}:{old.st_gid} ({exc.strerror}); run synth as its owner"]
            ) from None
    os.chmod(path, stat.S_IMODE(old.st_mode))


def _keep_folder(path: Path, old: os.stat_result, untouched: bool, shown: str) -> None:
    _keep_owner_and_mode(path, old, shown)
    if untouched:
        os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns), follow_symlinks=False)


class _Staging:
    """``.<out>.opsgen-<random>/`` beside ``out``: the new tree is built in
    ``tree``; the marker, locked while this run lives, says it is opsgen's."""

    def __init__(self, out: Path):
        self.root = Path(tempfile.mkdtemp(prefix=conv.staging_prefix(out.name), dir=out.parent))
        self.tree, self.old = self.root / "tree", self.root / "old"
        self._marker = held.hold(self.root, conv.STAGING_MARKER, conv.STAGING_MARKER_TEXT)

    def remove(self, keep: bool = False) -> None:
        """Remove the folder; ``keep``: leave it, unmarked, so that no run removes it."""
        if keep:
            os.unlink(self.root / conv.STAGING_MARKER)
        else:
            _remove_staging(self.root)
        os.close(self._marker)


def _remove_staging(root: Path) -> None:
    """The trees first, the marker last: a kill half-way leaves a folder still marked."""
    for name in ("tree", "old"):
        _remove_tree(root / name)
    for path in (root / conv.STAGING_MARKER, root):
        try:
            os.rmdir(path) if path == root else os.unlink(path)
        except OSError:
            pass  # the next run removes it


def _remove_tree(path: Path) -> None:
    def writable(function, name, excinfo):  # a read-only folder of the old tree (kept mode 500)
        try:
            os.chmod(os.path.dirname(name), 0o700)
            function(name)
        except OSError:
            pass

    if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
        os.unlink(path)  # rmtree refuses a link, which left the staging folder for ever
    elif os.path.lexists(path):
        shutil.rmtree(path, onerror=writable)


def remove_abandoned_staging(out: Path) -> None:
    """Staging folders of ``out`` that a killed run left (marked, and held by
    no running synth): the old tree goes back to ``out`` if a kill fell
    between the two renames of the fallback, then the folder is removed."""
    prefix = conv.staging_prefix(out.name)
    for candidate in sorted(out.parent.iterdir()):
        if candidate.name.startswith(prefix):
            lock = held.abandoned(candidate, conv.STAGING_MARKER, conv.STAGING_MARKER_TEXT)
            if lock is not None:
                if not os.path.lexists(out) and _own_folder(candidate / "old"):
                    os.rename(candidate / "old", out)
                _remove_staging(candidate)
                os.close(lock)


def _own_folder(path: Path) -> bool:
    """A real folder (not a link to one) of this user's: only such an ``old`` tree is put
    back; a staging folder committed to a repository may hold a link to anywhere."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid()


def _swap(staging: _Staging, out: Path) -> Path | None:
    """Put the new tree at ``out``; returns where the old one is now (in the staging folder), if any."""
    if not os.path.lexists(out):
        os.rename(staging.tree, out)
        return None
    if _exchange(staging.tree, out):
        return staging.tree
    os.rename(out, staging.old)  # fallback: two renames
    try:
        os.rename(staging.tree, out)
    except BaseException:
        os.rename(staging.old, out)  # never leave no output at all
        raise
    return staging.old


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
