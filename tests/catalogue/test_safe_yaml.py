"""safe_yaml.read_yaml, the one reader of the YAML files the stack check reads (issue 21):
an alias bomb, a link to /dev/zero, a FIFO, an absolute or '..' path are located errors."""

from __future__ import annotations

import os
import time

import pytest

from opsgen.catalogue import safe_yaml
from opsgen.errors import CatalogueError

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


def problems(base, relative) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        safe_yaml.read_yaml(str(base), relative)
    return [str(p) for p in caught.value.problems]


def test_a_values_file_reads_with_yaml_11_numbers(tmp_path):
    (tmp_path / "values.yaml").write_text("mode: 010\nreplicas: 3\n")
    doc = safe_yaml.read_yaml(str(tmp_path), "values.yaml")
    assert doc.data == {"mode": 8, "replicas": 3}  # as Helm (go-yaml, YAML 1.1) reads it
    assert doc.locate(("replicas",)).line == 2


def test_an_alias_bomb_is_refused_without_expanding_it(tmp_path):
    (tmp_path / "values.yaml").write_text(BOMB)
    assert len(BOMB) < 700
    start = time.process_time()
    (found,) = problems(tmp_path, "values.yaml")
    assert time.process_time() - start < 2 and "alias bomb" in found


@pytest.mark.parametrize("make", ["zero", "fifo", "absolute", "dotdot", "outside"])
def test_files_that_hang_or_explode_are_refused(tmp_path, make):
    inside = tmp_path / "repo"
    inside.mkdir()
    relative = "values.yaml"
    if make == "zero":
        (inside / relative).symlink_to("/dev/zero")
    elif make == "fifo":
        os.mkfifo(inside / relative)
    elif make == "absolute":
        relative = str(tmp_path / "x.yaml")
    elif make == "dotdot":
        relative = "../x.yaml"
    else:
        (tmp_path / "x.yaml").write_text("a: 1\n")
        (inside / relative).symlink_to(tmp_path / "x.yaml")
    start = time.monotonic()
    (found,) = problems(inside, relative)
    assert time.monotonic() - start < 5 and ":1:1: " in found
