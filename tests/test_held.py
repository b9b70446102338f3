"""held: a folder is held while its marker is locked; then it may be claimed."""

from __future__ import annotations

import os
from pathlib import Path

from opsgen import held

MARKER, TEXT = ".marker", b"held by a test\n"


def test_a_held_folder_is_claimed_only_once_its_holder_lets_go(tmp_path: Path) -> None:
    folder = tmp_path / "f"
    folder.mkdir()
    holder = held.hold(folder, MARKER, TEXT)
    assert held.abandoned(folder, MARKER, TEXT) is None  # its marker is locked
    os.close(holder)  # as a kill would
    claimed = held.abandoned(folder, MARKER, TEXT)
    assert claimed is not None
    assert held.abandoned(folder, MARKER, TEXT) is None  # now this process holds it
    os.close(claimed)


def test_what_is_not_a_held_folder_is_left_alone(tmp_path: Path) -> None:
    other_text, no_marker, cut_short = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for folder in (other_text, no_marker, cut_short):
        (folder / "data").mkdir(parents=True)
    (other_text / MARKER).write_bytes(b"something else\n")
    (cut_short / MARKER).write_bytes(TEXT[:4])  # cut short, beside other files
    for folder in (other_text, no_marker, cut_short):
        assert held.abandoned(folder, MARKER, TEXT) is None and (folder / "data").is_dir()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert held.abandoned(empty, MARKER, TEXT) is None and not empty.exists()  # a kill before the marker: removed
