"""output/write.py against a hostile output folder: synth never changes, moves,
re-owns, re-permissions or deletes what it did not write; where it cannot keep
something exactly it refuses, names it, and changes nothing."""

from __future__ import annotations

import fnmatch
import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsgen import conventions
from opsgen.output import write
from tests.support.alarm import fail_after

ROOT = Path(__file__).resolve().parents[2]


def gen(text: str) -> bytes:
    return f"{conventions.HEADER}\n# source: services.yaml\n{text}\n".encode()


FILES = {"apps/api.yaml": gen("kind: A"), "apps/worker.yaml": gen("kind: W"), "prod/apps/api.yaml": gen("kind: P")}


@pytest.fixture(autouse=True)
def never_hang():
    """Opening a FIFO or reading /dev/zero would block or never end: fail instead."""
    with fail_after(30, "synth blocked on an entry of the output folder"):
        yield


def state(root: Path) -> dict[str, tuple]:
    """Everything observable about a tree, links not followed: kind, inode, mode,
    owner, link count, bytes of regular files, mtime of folders."""
    out = {}
    for rel, info in sorted(write.scan(root).items()):
        path = root / rel
        body = (
            path.read_bytes()
            if stat.S_ISREG(info.st_mode)
            else os.readlink(path)
            if stat.S_ISLNK(info.st_mode)
            else None
        )
        mtime = info.st_mtime_ns if stat.S_ISDIR(info.st_mode) else None
        ino = None if stat.S_ISDIR(info.st_mode) else info.st_ino  # a folder is kept as a new folder alike
        out[rel] = (
            stat.S_IFMT(info.st_mode),
            ino,
            stat.S_IMODE(info.st_mode),
            info.st_uid,
            info.st_gid,
            info.st_nlink,
            body,
            mtime,
        )
    return out


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    out = tmp_path / "dist"
    write.write(out, {**FILES, "apps/stale.yaml": gen("kind: S")})
    return out


def refused(out: Path, files: dict[str, bytes] = FILES, shown: Path | None = None) -> list[str]:
    before = state(out.parent)
    with pytest.raises(write.OutputRefused) as caught:
        write.write(shown or out, files)
    assert state(out.parent) == before  # nothing changed, no staging folder left
    return caught.value.problems


def test_a_plain_rewrite_keeps_foreign_files_and_drops_stale_ones(dist: Path) -> None:
    (dist / "apps" / "notes.md").write_text("mine\n")
    write.write(dist, FILES)
    assert write.existing_files(dist) == ["apps/api.yaml", "apps/notes.md", "apps/worker.yaml", "prod/apps/api.yaml"]
    assert sorted(p.name for p in dist.parent.iterdir()) == ["dist"]


def test_an_environment_folder_that_is_a_symlink_is_never_written_through(dist: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "apps").mkdir(parents=True)
    (elsewhere / "apps" / "api.yaml").write_text("hand-written, not opsgen's\n")
    (dist / "prod" / "apps" / "api.yaml").unlink()
    (dist / "prod" / "apps").rmdir()
    (dist / "prod").rmdir()
    os.symlink(elsewhere, dist / "prod")
    (problem,) = refused(dist)
    assert problem.startswith(f"{dist}/prod is a symbolic link: synth never writes through one")


def test_o_given_a_symlink_writes_the_folder_it_points_to_and_keeps_the_link(dist: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    os.symlink("dist", link)
    write.write(link, {"apps/api.yaml": gen("kind: B")})
    assert os.readlink(link) == "dist"
    assert (dist / "apps" / "api.yaml").read_bytes() == gen("kind: B")
    assert not (dist / "apps" / "worker.yaml").exists()
    os.symlink("missing", tmp_path / "dangling")
    with pytest.raises(write.OutputRefused):
        write.write(tmp_path / "dangling", FILES)
    assert not (tmp_path / "missing").exists()


def test_a_folder_that_is_not_an_output_folder_is_refused(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git" / "refs" / "tags").mkdir(parents=True)  # empty folders, as git has
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (repo / "README.md").write_text("a repository\n")
    (problem,) = refused(repo)
    assert problem.startswith(f"the output directory {repo} is not empty and holds no file opsgen wrote")
    (tmp_path / "empty").mkdir()
    write.write(tmp_path / "empty", FILES)  # an empty folder is fine
    assert (tmp_path / "empty" / "apps" / "api.yaml").is_file()


def test_the_cli_refuses_a_repository_before_building(tmp_path: Path, write_catalogue, run) -> None:
    catalogue = write_catalogue("not even read\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    code, stdout, err = run("synth", "-c", catalogue, "-o", tmp_path / "repo")
    assert (code, stdout) == (2, "")
    assert err.startswith(
        f"opsgen: error: the output directory {tmp_path / 'repo'} is not empty and holds no file opsgen wrote"
    )
    assert [p.name for p in (tmp_path / "repo").iterdir()] == [".git"]


def test_fifos_sockets_links_and_empty_folders_are_kept_as_they_are(dist: Path) -> None:
    os.mkfifo(dist / "apps" / "fifo")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(dist / "apps" / "sock"))
    (dist / "empty" / "deeper").mkdir(parents=True)
    os.symlink("/dev/zero", dist / "apps" / "zero.yaml")  # never read: synth would never end
    os.symlink("fifo", dist / "apps" / "fifo.yaml")  # never opened: synth would hang
    os.symlink("../prod", dist / "apps" / "env")
    before = state(dist)
    try:
        write.write(dist, FILES)
    finally:
        server.close()
    after = state(dist)
    kept = ["apps/fifo", "apps/sock", "apps/zero.yaml", "apps/fifo.yaml", "apps/env", "empty", "empty/deeper"]
    assert {rel: after[rel] for rel in kept} == {rel: before[rel] for rel in kept}  # folders: times too
    drift = write.compare(dist, {**FILES, "apps/zero.yaml": b"x", "apps/fifo.yaml": b"y"})
    assert drift.changed == ("apps/zero.yaml", "apps/fifo.yaml")  # compared without being opened


def test_folder_modes_owners_and_replaced_files_modes_are_kept(dist: Path) -> None:
    (dist / "private").mkdir(mode=0o700)
    (dist / "private" / "key").write_text("x")
    os.chmod(dist / "apps", 0o750)
    os.chmod(dist / "apps" / "api.yaml", 0o640)
    os.chmod(dist, 0o710)
    os.chmod(dist / "private", 0o500)  # read-only: kept, and the old tree is still removed
    write.write(dist, {**FILES, "apps/api.yaml": gen("kind: changed")})
    assert stat.S_IMODE(os.stat(dist).st_mode) == 0o710
    assert stat.S_IMODE(os.stat(dist / "private").st_mode) == 0o500
    assert stat.S_IMODE(os.stat(dist / "apps").st_mode) == 0o750
    assert stat.S_IMODE(os.stat(dist / "apps" / "api.yaml").st_mode) == 0o640
    assert sorted(p.name for p in dist.parent.iterdir()) == ["dist"]


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owners_are_kept(dist: Path) -> None:
    (dist / "theirs").mkdir()
    (dist / "theirs" / "f").write_text("x")
    for path in (dist / "theirs", dist / "theirs" / "f", dist / "apps" / "api.yaml", dist / "apps"):
        os.chown(path, 4321, 8765)
    before = state(dist)
    write.write(dist, {**FILES, "apps/api.yaml": gen("kind: changed")})
    after = state(dist)
    assert after["theirs/f"] == before["theirs/f"]
    assert after["theirs"][3:5] == after["apps"][3:5] == after["apps/api.yaml"][3:5] == (4321, 8765)


def test_hard_links_are_kept_or_refused(dist: Path, tmp_path: Path) -> None:
    (dist / "apps" / "theirs.txt").write_text("x")
    os.link(dist / "apps" / "theirs.txt", tmp_path / "outside-link")
    inode = os.stat(tmp_path / "outside-link").st_ino
    write.write(dist, FILES)
    assert os.stat(dist / "apps" / "theirs.txt").st_ino == inode
    assert os.stat(tmp_path / "outside-link").st_nlink == 2
    os.link(dist / "apps" / "api.yaml", tmp_path / "linked-output")
    (problem,) = refused(dist)
    assert problem.startswith(f"{dist}/apps/api.yaml has 2 hard links, which writing it anew would break")


@pytest.mark.parametrize("kind", ["file", "folder", "symlink", "fifo"])
def test_something_not_opsgens_at_a_path_synth_writes_is_refused_by_name(dist: Path, kind: str) -> None:
    target = dist / "apps" / "worker.yaml"
    target.unlink()
    {
        "file": lambda: target.write_text("kind: HandWritten\n"),
        "folder": target.mkdir,
        "symlink": lambda: os.symlink("/dev/zero", target),
        "fifo": lambda: os.mkfifo(target),
    }[kind]()
    (problem,) = refused(dist)
    assert problem.startswith(f"{dist}/apps/worker.yaml was not written by opsgen (a ")
    assert "move it away (or delete it) and run again" in problem


def test_every_problem_is_reported_at_once(dist: Path) -> None:
    (dist / "apps" / "worker.yaml").write_text("mine\n")
    (dist / "apps" / "api.yaml").write_text("mine too\n")
    assert len(refused(dist)) == 2


def test_the_cli_reports_refusals_and_changes_nothing(tmp_path: Path, write_catalogue, run) -> None:
    from tests.conftest import VALID

    catalogue = write_catalogue(VALID)
    out = tmp_path / "dist"
    assert run("synth", "-c", catalogue, "-o", out)[0] == 0
    (out / "apps" / "worker.yaml").write_text("kind: HandWritten\n")
    before = state(tmp_path)
    code, stdout, err = run("synth", "-c", catalogue, "-o", out)
    assert (code, stdout) == (4, "")
    assert err.splitlines() == [
        f"opsgen: error: {out}/apps/worker.yaml was not written by opsgen (a file without the generated header), "
        "and synth writes this path; move it away (or delete it) and run again",
        f"opsgen: {out} cannot be written as it is; nothing changed",
    ]
    assert state(tmp_path) == before


def test_without_renameat2_a_failed_second_rename_puts_the_old_output_back(dist: Path, monkeypatch) -> None:
    before = state(dist)
    monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # macOS, some network file systems
    real, calls = os.rename, []

    def failing(source, target):
        calls.append((source, target))
        if len(calls) == 2:  # staging/tree -> dist
            raise OSError(5, "Input/output error")
        return real(source, target)

    monkeypatch.setattr(write.os, "rename", failing)
    with pytest.raises(OSError):
        write.write(dist, {"apps/api.yaml": gen("kind: new")})
    assert len(calls) == 3  # dist -> staging/old, the failure, staging/old -> dist
    assert state(dist) == before
    assert sorted(p.name for p in dist.parent.iterdir()) == ["dist"]
    monkeypatch.setattr(write.os, "rename", real)
    write.write(dist, {"apps/api.yaml": gen("kind: new")})  # the fallback itself works
    assert write.existing_files(dist) == ["apps/api.yaml"]


KILLED_BETWEEN_RENAMES = """
import os, signal, sys
from pathlib import Path
from opsgen.output import write
write._exchange = lambda a, b: False
real = os.rename
def rename(source, target):
    real(source, target)
    if str(target).endswith("/old"):
        os.kill(os.getpid(), signal.SIGKILL)
write.os.rename = rename
write.write(Path(sys.argv[1]), {"apps/api.yaml": %r})
"""

KILLED_WHILE_STAGING = """
import os, signal, sys
from pathlib import Path
from opsgen.output import write
real = Path.write_bytes
def write_bytes(self, data):
    real(self, data)
    os.kill(os.getpid(), signal.SIGKILL)
Path.write_bytes = write_bytes
write.write(Path(sys.argv[1]), {"apps/api.yaml": %r})
"""


def killed(script: str, out: Path) -> None:
    run = subprocess.run([sys.executable, "-c", script % gen("kind: killed"), str(out)], cwd=ROOT, timeout=60)
    assert run.returncode == -signal.SIGKILL


def test_a_kill_between_the_two_renames_is_repaired_by_the_next_run(dist: Path) -> None:
    (dist / "apps" / "notes.md").write_text("mine\n")
    killed(KILLED_BETWEEN_RENAMES, dist)
    assert not dist.exists()  # the window the fallback cannot close: the next run repairs it
    write.write(dist, {"apps/api.yaml": gen("kind: next")})
    assert (dist / "apps" / "notes.md").read_text() == "mine\n"
    assert write.existing_files(dist) == ["apps/api.yaml", "apps/notes.md"]
    assert sorted(p.name for p in dist.parent.iterdir()) == ["dist"]


def test_staging_folders_left_by_a_kill_are_removed_by_the_next_run(dist: Path, tmp_path: Path) -> None:
    before = state(dist)
    killed(KILLED_WHILE_STAGING, dist)
    (left,) = [p for p in tmp_path.iterdir() if p.name.startswith(".dist.opsgen-")]
    assert (left / conventions.STAGING_MARKER).is_file()
    assert state(dist) == before
    strangers = [tmp_path / ".dist.opsgen-not-ours", tmp_path / ".dist.opsgen-fake"]
    strangers[0].mkdir()
    (strangers[0] / "data").write_text("x")
    strangers[1].mkdir()
    (strangers[1] / conventions.STAGING_MARKER).write_text("something else\n")
    (tmp_path / ".dist.opsgen-killed-before-its-marker").mkdir()  # empty: removed (rmdir removes nothing else)
    for name, text in (("created", b""), ("half-written", conventions.STAGING_MARKER_TEXT[:10])):
        (tmp_path / f".dist.opsgen-killed-with-its-marker-{name}").mkdir()  # a kill before the text was whole
        (tmp_path / f".dist.opsgen-killed-with-its-marker-{name}" / conventions.STAGING_MARKER).write_bytes(text)
    strangers.append(tmp_path / ".dist.opsgen-empty-marker-and-more")  # not only a marker: not ours to remove
    strangers[2].mkdir()
    (strangers[2] / conventions.STAGING_MARKER).write_bytes(b"")
    (strangers[2] / "data").write_text("x")
    write.write(dist, FILES)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["dist", *(p.name for p in strangers)])


def test_a_staging_folder_in_use_is_left_alone(dist: Path, tmp_path: Path) -> None:
    busy = write._Staging(dist)  # another synth, running now
    try:
        write.remove_abandoned_staging(dist)
        assert busy.root.is_dir()
    finally:
        busy.remove()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_git_ignores_staging_folders() -> None:
    patterns = [line for line in (ROOT / ".gitignore").read_text().splitlines() if line and not line.startswith("#")]
    name = conventions.staging_prefix("dist") + "abc123/"
    assert any(fnmatch.fnmatch(name, p) for p in patterns)


# --- property: whatever the tree, synth refuses untouched or keeps every foreign entry ---

ENTRY = st.sampled_from(["generated", "hand", "dir", "fifo", "link-zero", "link-dir", "hardlink"])
NAMES = st.sampled_from(
    ["apps", "prod", "apps/api.yaml", "apps/worker.yaml", "prod/apps", "prod/apps/api.yaml", "x", "apps/x", "prod/x"]
)


def _make(root: Path, tree: dict[str, str], outside: Path) -> None:
    for rel, kind in sorted(tree.items()):
        path = root / rel
        if (
            not path.parent.is_dir()
            or path.parent.resolve() != root.resolve() / os.path.dirname(rel)
            or os.path.lexists(path)
        ):
            continue
        if kind == "generated":
            path.write_bytes(gen("kind: Old"))
        elif kind == "hand":
            path.write_text("kind: Hand\n")
        elif kind == "dir":
            path.mkdir(mode=0o750)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "hardlink":
            os.link(outside, path)
        else:
            os.symlink("/dev/zero" if kind == "link-zero" else str(outside.parent), path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=st.dictionaries(NAMES, ENTRY, max_size=7), wanted=st.sets(st.sampled_from(sorted(FILES)), min_size=1))
def test_any_tree_is_refused_untouched_or_kept_exactly(
    tmp_path_factory, tree: dict[str, str], wanted: set[str]
) -> None:
    base = tmp_path_factory.mktemp("prop")
    outside = base / "outside.txt"
    outside.write_text("theirs\n")
    out = base / "dist"
    out.mkdir()
    (out / "seed.yaml").write_bytes(gen("kind: Seed"))  # an output folder
    _make(out, tree, outside)
    files = {rel: gen(f"kind: New {rel}") for rel in sorted(wanted)}
    before = state(out)
    try:
        write.write(out, files)
    except write.OutputRefused:
        assert state(out) == before
        return
    after = state(out)
    for rel, entry in before.items():
        foreign = entry[0] != stat.S_IFDIR and not (
            entry[0] == stat.S_IFREG and entry[6].startswith(conventions.HEADER.encode())
        )
        if foreign:
            assert after[rel][:7] == entry[:7], rel  # the same inode, mode, owner, links, content
    assert {rel: (out / rel).read_bytes() for rel in files} == files
    assert sorted(p.name for p in base.iterdir()) == ["dist", "outside.txt"]


def test_what_appears_while_synth_runs_is_put_back_or_kept_and_named(dist: Path, monkeypatch) -> None:
    """A concurrent writer adds entries after synth read the folder: they are
    not deleted with the old tree. Free places: put back (same inode); taken
    places: kept in a staging folder no run removes, and named."""
    real = write._swap

    def concurrent_writer(staging, out):
        (out / "late.txt").write_text("written meanwhile\n")
        (out / "late-folder").mkdir()
        (out / "late-folder" / "f").write_text("x")
        (out / "apps" / "worker.yaml").unlink()
        (out / "apps" / "worker.yaml").write_text("a hand edit, meanwhile\n")  # its place is taken by the new file
        return real(staging, out)

    monkeypatch.setattr(write, "_swap", concurrent_writer)
    warnings = write.write(dist, FILES)
    assert (dist / "late.txt").read_text() == "written meanwhile\n"
    assert (dist / "late-folder" / "f").read_text() == "x"
    (warning,) = warnings
    assert warning.startswith(
        f"{dist}/apps/worker.yaml appeared while synth ran and could not be put back; it is kept in "
    )
    kept = Path(warning.rsplit(" ", 1)[1])
    assert kept.read_text() == "a hand edit, meanwhile\n"
    monkeypatch.setattr(write, "_swap", real)
    write.write(dist, FILES)
    assert kept.read_text() == "a hand edit, meanwhile\n"  # no later run removes it
