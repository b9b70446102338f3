"""opsgen as an installable tool: pyproject.toml's ranges and the pins agree, the wheel
holds everything synth needs (the jsii assembly, the runtime wrapper, init's templates),
and installed into a fresh venv it synthesizes a catalogue outside the repository."""

from __future__ import annotations

import os
import subprocess
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO, VALID
from tests.support import install

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def pins(name: str) -> dict[str, str]:
    """The ``name==version`` lines of a requirements file, by canonical name."""
    found = {}
    for line in (REPO / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", f"{name}: {line} is not an exact pin"
            found[canonicalize_name(requirement.name)] = spec.version
    return found


RUNTIME, TEST = pins("constraints.txt"), pins("requirements-test.txt")
DEPENDENCIES = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]


def test_every_dependency_is_pinned_inside_its_range():
    for requirement in DEPENDENCIES:
        pinned = RUNTIME.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} has no pin in constraints.txt"
        assert requirement.specifier.contains(pinned, prereleases=True), (
            f"{requirement.name}=={pinned} is outside {requirement.specifier}"
        )


def test_the_runtime_pins_hold_everything_the_dependencies_bring_in():
    todo, needed = [r.name for r in DEPENDENCIES], set()
    while todo:
        name = canonicalize_name(todo.pop())
        if name in needed:
            continue
        needed.add(name)
        for line in metadata.requires(name) or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    assert needed - set(RUNTIME) == set(), "pin these in constraints.txt"
    for name in needed:
        assert metadata.version(name) == RUNTIME[name], (
            f"{name}: installed {metadata.version(name)}, pinned {RUNTIME[name]}"
        )


def test_the_test_pins_add_to_the_runtime_pins_and_build_the_package():
    assert (REPO / "requirements-test.txt").read_text(encoding="utf-8").count("\n-c constraints.txt\n") == 1
    assert set(TEST) & set(RUNTIME) == set(), "pinned twice"
    for line in PYPROJECT["build-system"]["requires"]:
        requirement = Requirement(line)
        assert requirement.specifier.contains(TEST[canonicalize_name(requirement.name)])


def test_what_an_install_leaves_is_ignored_and_no_link_leaves_the_repository():
    ignored = (REPO / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/build/" in ignored and "*.egg-info/" in ignored
    listed = subprocess.run(["git", "ls-files", "-s"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for line in listed.splitlines():
        mode, _, rest = line.partition(" ")
        path = rest.split("\t", 1)[1]
        if mode == "120000":
            target = (REPO / path).parent / os.readlink(REPO / path)
            assert target.resolve().is_relative_to(REPO), f"{path} links outside the repository"


def test_the_wheel_holds_the_jsii_assembly_and_inits_templates(tmp_path):
    wheel = install.build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "opsgen"
    needed = [package / "synth" / "jsii_direct_runtime.js", *(package / "synth" / "jsii").iterdir()]
    needed += [p for p in (package / "scaffold" / "templates").rglob("*") if p.is_file()]  # the stack's links followed
    assert [str(p.relative_to(REPO)) for p in needed if str(p.relative_to(REPO)) not in names] == []


def test_the_installed_tool_synthesizes_a_catalogue_outside_the_repository(installed, tmp_path):
    env = dict(os.environ, PATH=install.user_path(installed / "bin"))
    env.pop("PYTHONPATH", None)
    version = subprocess.run(["opsgen", "--version"], env=env, capture_output=True, text=True, check=True)
    assert version.stdout.startswith("opsgen ") and "cdk8s " in version.stdout and "jsii " in version.stdout
    (tmp_path / "services.yaml").write_text(VALID, encoding="utf-8")
    for command in ("synth", "check"):
        done = subprocess.run(["opsgen", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    origin = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import opsgen; print(opsgen.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert Path(origin.stdout.strip()).is_relative_to(installed)  # the installed copy ran, not this checkout
    assert (tmp_path / "dist" / "apps" / "worker.yaml").is_file()
