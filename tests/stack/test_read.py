"""Every file the stack check reads goes through the catalogue's safe reader and
YAML limits: an alias bomb, a link to /dev/zero, a FIFO and values paths that
leave the stack's folder are located problems, never a hang or a traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import helm_values
from tests.support.alarm import fail_after
from tests.test_stack import catalogue, root  # noqa: F401  (root: fixture)

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(9)
)


def _break(root: Path, how: str) -> Path:
    target = root / "charts/autoscaling/keda/values.yaml"
    target.unlink()
    if how == "alias bomb":
        target.write_text(BOMB, encoding="utf-8")
    elif how == "link to /dev/zero":
        target.symlink_to("/dev/zero")
    elif how == "fifo":
        os.mkfifo(target)
    return target


@pytest.mark.parametrize("how", ["alias bomb", "link to /dev/zero", "fifo"])
def test_a_hostile_values_file_is_a_located_problem(root: Path, how: str) -> None:  # noqa: F811
    _break(root, how)
    with fail_after(20, f"the stack check hung on a {how}"):
        problems = helm_values.stack_problems(catalogue(), root)
    assert any(p.startswith("charts/autoscaling/keda/values.yaml") for p in problems), problems


@pytest.mark.parametrize("path", ["/etc/hostname", "../outside.yaml"])
def test_a_values_path_outside_the_stack_is_refused(root: Path, path: str) -> None:  # noqa: F811
    (root.parent / "outside.yaml").write_text("a: 1\n", encoding="utf-8")
    helmfile = root / "helmfile.yaml"
    helmfile.write_text(helmfile.read_text().replace("charts/autoscaling/keda/values.yaml", path, 1), encoding="utf-8")
    problems = helm_values.stack_problems(catalogue(), root)
    assert any(p.startswith(path) for p in problems), problems
