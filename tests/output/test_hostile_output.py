"""Issue 21, output and files outside opsgen's own: the -o guard looks at the top level
only, --stream never replaces a device, a link or another user's file, and a staging
folder committed to a repository (its 'old' a link) is never renamed into place."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from opsgen import conventions
from opsgen.usage import FAILED, USAGE
from tests.conftest import VALID


def gen(text: str = "kind: x") -> bytes:
    return f"{conventions.HEADER}\n# source: services.yaml\n{text}\n".encode()


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every entry below root: (inode, mode), links not followed."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            info = os.lstat(os.path.join(folder, name))
            out[os.path.relpath(os.path.join(folder, name), root)] = (info.st_ino, info.st_mode)
    return out


def test_a_home_folder_with_another_checkouts_dist_deep_below_is_refused(tmp_path, write_catalogue, run):
    home = tmp_path / "home"
    deep = home / "src" / "other" / "dist" / "dev" / "apps"
    deep.mkdir(parents=True)
    (deep / "worker.yaml").write_bytes(gen())
    (home / ".bashrc").write_text("x\n")
    before = tree(home)
    code, _, err = run("synth", "-c", write_catalogue(VALID), "-o", home)
    assert code == USAGE and "holds no file opsgen wrote where opsgen writes" in err
    assert tree(home) == before


def test_opsgen_files_below_its_own_depths_are_neither_a_reason_nor_removed(tmp_path, write_catalogue, run):
    out = tmp_path / "dist"
    catalogue = write_catalogue(VALID)
    assert run("synth", "-c", catalogue, "-o", out)[0] == 0
    copy = out / "backup" / "dist" / "apps" / "worker.yaml"  # depth 4: someone's copy, not opsgen's
    copy.parent.mkdir(parents=True)
    copy.write_bytes(gen())
    stale = out / "apps" / "gone.yaml"  # depth 2: opsgen's, no longer produced, removed
    stale.write_bytes(gen())
    assert run("synth", "-c", catalogue, "-o", out)[0] == 0
    assert copy.read_bytes() == gen() and not stale.exists()


def test_stream_through_a_symbolic_link_to_a_file_is_refused(tmp_path, write_catalogue, run):
    target, link, out = tmp_path / "target.yaml", tmp_path / "link.yaml", tmp_path / "dist"
    target.write_text("mine\n")
    link.symlink_to(target)
    code, _, err = run("synth", "-c", write_catalogue(VALID), "-o", out, "--stream", link)
    assert code == FAILED
    assert f"the stream {link} was not written" in err and f"the output {out} was written" in err
    assert link.is_symlink() and target.read_text() == "mine\n" and (out / "apps").is_dir()


def test_stream_to_a_character_device_writes_through_it(tmp_path, write_catalogue, run):
    before = os.stat("/dev/null")
    code, _, _ = run("synth", "-c", write_catalogue(VALID), "--stream", "/dev/null", "--stream-only")
    after = os.stat("/dev/null")
    assert code == 0 and stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_stream_to_a_fifo_without_reader_does_not_block(tmp_path, write_catalogue, run):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    code, _, err = run("synth", "-c", write_catalogue(VALID), "--stream", fifo, "--stream-only")
    assert (
        code == FAILED
        and f"the stream {fifo} was not written" in err
        and "was written" not in err.split("not written")[1]
    )
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_stream_to_a_file_with_other_hard_links_is_refused(tmp_path, write_catalogue, run):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("mine\n")
    os.link(first, second)
    code, _, err = run("synth", "-c", write_catalogue(VALID), "--stream", second, "--stream-only")
    assert code == FAILED and "other hard links" in err and first.read_text() == "mine\n"


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a file to another user")
def test_stream_over_another_users_file_is_refused(tmp_path, write_catalogue, run):
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text("theirs\n")
    os.chown(theirs, 12345, 12345)
    code, _, err = run("synth", "-c", write_catalogue(VALID), "--stream", theirs, "--stream-only")
    assert code == FAILED and "belongs to another user" in err
    assert theirs.read_text() == "theirs\n" and os.lstat(theirs).st_uid == 12345


def test_stream_replaces_this_users_file_keeping_its_mode(tmp_path, write_catalogue, run):
    mine = tmp_path / "mine.yaml"
    mine.write_text("old\n")
    os.chmod(mine, 0o600)
    assert run("synth", "-c", write_catalogue(VALID), "--stream", mine, "--stream-only")[0] == 0
    assert mine.read_bytes().startswith(conventions.HEADER.encode()) and stat.S_IMODE(os.lstat(mine).st_mode) == 0o600


def test_a_committed_staging_folder_whose_old_is_a_link_is_not_renamed_into_place(tmp_path, write_catalogue, run):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.chmod(elsewhere, 0o777)
    (elsewhere / "keep.txt").write_text("keep\n")
    staging = tmp_path / (conventions.staging_prefix("dist") + "committed")
    staging.mkdir()
    (staging / conventions.STAGING_MARKER).write_bytes(conventions.STAGING_MARKER_TEXT)
    (staging / "old").symlink_to(elsewhere)
    out = tmp_path / "dist"
    assert run("synth", "-c", write_catalogue(VALID), "-o", out)[0] == 0
    assert not out.is_symlink() and stat.S_IMODE(os.lstat(out).st_mode) != 0o777
    assert (elsewhere / "keep.txt").read_text() == "keep\n" and stat.S_IMODE(os.lstat(elsewhere).st_mode) == 0o777
    assert not os.path.lexists(staging)  # removed, link and all


def test_stream_to_dev_stdout_redirected_to_a_file_writes_through(tmp_path):
    """/dev/stdout is a link to the file the shell opened: written through, not refused."""
    import subprocess
    import sys

    from tests.conftest import VALID

    (tmp_path / "services.yaml").write_text(VALID, encoding="utf-8")
    target = tmp_path / "all.yaml"
    with open(target, "wb") as out:
        result = subprocess.run(
            [sys.executable, "-m", "opsgen", "synth", "--stream", "/dev/stdout", "--stream-only"],
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.PIPE,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    assert target.read_bytes().startswith(conventions.HEADER.encode()) and not target.is_symlink()
