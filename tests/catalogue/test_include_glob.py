"""include_glob.py: one walk of the catalogue's folder, glob's meaning, no loops (issue 21)."""

from __future__ import annotations

import glob
import time

import pytest

from opsgen.catalogue import include, include_glob
from tests.catalogue.test_include import PLATFORM, WORKER, problems, write

TREE = [
    "a.yaml",
    ".hidden.yaml",
    "teams/x.yaml",
    "teams/y.yml",
    "teams/sub/z.yaml",
    "teams/.h/w.yaml",
    "b[1].yaml",
    "c?.yaml",
]


@pytest.fixture
def folder(tmp_path):
    for rel in TREE:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x\n")
    return tmp_path


@pytest.mark.parametrize(
    "pattern",
    [
        "*.yaml",
        "teams/*.yaml",
        "teams/*.y*ml",
        "**/*.yaml",
        "teams/**/*.yaml",
        "teams/**",
        "?.yaml",
        "[ab].yaml",
        "[!a].yaml",
        "teams/[xy].y*",
        "a.yaml",
        "teams/x.yaml",
        ".*.yaml",
        "teams/.h/*",
        "*",
        "teams/*",
        "nope/*.yaml",
        "b[[]1].yaml",
        "teams/sub/z.yaml",
    ],
)
def test_patterns_match_what_glob_matches(folder, pattern):
    ours = include_glob.matches(pattern, include_glob.walk(str(folder)))
    theirs = sorted(p.rstrip("/") for p in glob.glob(pattern, root_dir=folder, recursive=True))
    if pattern.endswith("**"):  # folders are left out of '**' (they are not files to include)
        theirs = [p for p in theirs if not (folder / p).is_dir()]
    assert ours == theirs


def test_links_that_loop_inside_the_folder_are_walked_once(tmp_path):
    teams = tmp_path / "teams"
    teams.mkdir()
    (teams / "ci.yaml").write_text("x\n")
    for name in ("up", "again", "more"):
        (teams / name).symlink_to("..")  # glob walked 3^depth paths through these
    start = time.process_time()
    found = include_glob.matches("**/*.yaml", include_glob.walk(str(tmp_path)))
    assert time.process_time() - start < 1
    assert found == ["teams/ci.yaml"]


def test_thousands_of_patterns_walk_the_tree_once(tmp_path, monkeypatch):
    """4,000 patterns re-walked the folder once each (41 s)."""
    teams = tmp_path / "teams"
    teams.mkdir()
    for i in range(300):
        (teams / f"t{i}.yaml").write_text("services: []\n")
    walks = []
    real_walk = include_glob.walk
    monkeypatch.setattr(include_glob, "walk", lambda folder: walks.append(folder) or real_walk(folder))
    patterns = "".join(f"  - teams/t{i % 300}*.yaml\n" for i in range(4000))
    catalogue = write(tmp_path, {"services.yaml": PLATFORM + "include:\n" + patterns + "services:\n" + WORKER})
    start = time.process_time()
    doc, found = include.load_catalogue(str(catalogue))
    assert time.process_time() - start < 5 and len(walks) == 1
    assert found == [] and len(doc.data["services"]) == 1


def test_too_many_entries_is_a_located_error(tmp_path, monkeypatch):
    monkeypatch.setattr(include_glob, "MAX_ENTRIES", 5)
    for i in range(10):
        (tmp_path / f"f{i}.yaml").write_text("x\n")
    catalogue = write(tmp_path, {"services.yaml": PLATFORM + "include: ['*.yaml']\nservices:\n" + WORKER})
    (found,) = [p for p in problems(catalogue) if "more than 5 files" in p]
    assert found.startswith("services.yaml:2:")


@pytest.mark.parametrize("pattern", ["teams/\\u0000.yaml", "teams/a\\nb.yaml"])
def test_a_control_character_in_a_pattern_is_a_located_error(tmp_path, pattern):
    catalogue = write(tmp_path, {"services.yaml": PLATFORM + f'include: ["{pattern}"]\nservices:\n' + WORKER})
    assert any("holds a control character" in p for p in problems(catalogue))
