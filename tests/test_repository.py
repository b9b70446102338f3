"""The repository is the platform team's catalogue repository: its ``services.yaml``
is their data, not a fixture. The suite tests the generator on catalogues of its
own (tests/golden/, tests/conftest.py); the only tests that read the repository's
catalogue are marked ``repo_catalogue`` and hold whatever it holds: ``dist/`` is
exactly what synth writes from it, and the stack agrees with it.

The daily path is proved here: a new service added as docs/ops.md says, then
``opsgen synth``, changes only ``services.yaml`` and ``dist/`` and keeps every
``repo_catalogue`` test green."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from opsgen import pipeline
from tests.conftest import REPO
from tests.support import install

GIT = shutil.which("git")


@pytest.mark.repo_catalogue
def test_committed_dist_is_what_synth_writes_from_services_yaml(run):
    dist = REPO / "dist"
    if not dist.is_dir():
        pytest.skip(f"{dist} does not exist yet: run 'make synth' and commit it")
    code, out, err = run("check", "-c", REPO / "services.yaml", "-o", dist)
    assert code == 0, f"dist/ is not what services.yaml compiles to; run 'make synth' and commit dist/:\n{err}"


# --- the daily path: one new service ----------------------------------------------


def service_from_the_docs() -> str:
    """The example entry of docs/ops.md's "The path of a new service", as written there."""
    section = (REPO / "docs" / "ops.md").read_text(encoding="utf-8").split("## The path of a new service", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block.startswith("services:\n"), "docs/ops.md: the example is an entry under services:"
    return textwrap.dedent(block.split("\n", 1)[1])


def unique(entry: str, catalogue: Path) -> str:
    """The entry, renamed when the catalogue already has a service of that name
    in that namespace (someone followed docs/ops.md to the letter)."""
    (service,) = yaml.safe_load(entry)
    taken = {(s.namespace, s.name) for env in pipeline.load_valid(str(catalogue)).environments for s in env.services}
    name = service["name"]
    for n in range(2, 1000):
        if (service["namespace"], name) not in taken:
            break
        name = f"{service['name']}-{n}"
    return entry.replace(f"name: {service['name']}", f"name: {name}", 1)


def catalogue_files(catalogue: Path) -> list[Path]:
    """The catalogue, then the files it includes, in the order opsgen reads them
    (opsgen/catalogue/include.py: patterns in order, the matches of each sorted)."""
    patterns = (yaml.safe_load(catalogue.read_text(encoding="utf-8")) or {}).get("include") or []
    found = [catalogue]
    for pattern in patterns:
        matched = sorted(glob.glob(pattern, root_dir=catalogue.parent, recursive=True))
        found += [catalogue.parent / rel for rel in matched if catalogue.parent / rel not in found]
    return found


def add_service(catalogue: Path, entry: str) -> Path:
    """Add ``entry`` as the first item of the first top-level ``services:`` list, in the
    catalogue or, when it has none, in the first included file that has one, with the
    list's own indentation (docs/ops.md: "add an entry under services:"). The file changed."""
    for path in catalogue_files(catalogue):
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        start = next((i for i, line in enumerate(lines) if line.rstrip() == "services:"), None)
        if start is not None:
            break
    else:
        raise AssertionError(f"neither {catalogue} nor a file it includes has a services: list")
    first = next(line for line in lines[start + 1 :] if line.strip() and not line.lstrip().startswith("#"))
    indent = first[: len(first) - len(first.lstrip())]
    assert first.lstrip().startswith("- "), f"services: is not a block list in {path}"
    block = "".join(indent + line + "\n" for line in entry.splitlines()) + "\n"
    lines.insert(start + 1, block)
    path.write_text("".join(lines), encoding="utf-8")
    return path


def git(cwd: Path, *argv: str) -> str:
    command = [GIT, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", *argv]
    return subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True, timeout=120).stdout


def clone_of_the_repository(target: Path) -> Path:
    """The repository's files as a fresh clone has them (tracked and new, not ignored), committed."""
    install.copy_of_the_checkout(target)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "clone")
    return target


def python(cwd: Path, *argv: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CDK8S_CHECK_UPGRADE="false")
    env.pop("OPSGEN_DIST", None)
    # `python -m` puts the clone first on sys.path: its opsgen and its tests run, not ours.
    return subprocess.run([sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(
    GIT is None or not (REPO / ".git").exists(), reason="needs git and a git checkout of the repository"
)
def test_a_new_service_changes_only_services_yaml_and_dist(tmp_path):
    clone = clone_of_the_repository(tmp_path / "clone")
    entry = unique(service_from_the_docs(), clone / "services.yaml")
    (service,) = yaml.safe_load(entry)
    edited = str(add_service(clone / "services.yaml", entry).relative_to(clone))
    synth = python(clone, "-m", "opsgen", "synth")
    assert synth.returncode == 0, synth.stderr
    changed = [line[3:] for line in git(clone, "status", "--porcelain", "-uall").splitlines()]
    assert edited in changed and any(p.startswith("dist/") and f"/{service['namespace']}/" in p for p in changed), (
        changed
    )
    assert [p for p in changed if p != edited and not p.startswith("dist/")] == []
    for selection in (["-m", "repo_catalogue", *REPO_CATALOGUE_TESTS], [GOLDEN_TESTS, "-k", "bundled"]):
        tests = python(clone, "-m", "pytest", "-q", "-p", "no:cacheprovider", *selection)
        assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
        assert " passed" in tests.stdout and " failed" not in tests.stdout
    after = [line[3:] for line in git(clone, "status", "--porcelain", "-uall").splitlines()]
    assert after == changed, "the tests changed files of the repository"


# The golden cases (one of them is the example catalogue the repository shipped with; before,
# it had to be a copy of services.yaml, and one new service meant regenerating it).
GOLDEN_TESTS = "tests/test_golden.py"
# Every module that holds a ``repo_catalogue`` test (checked below, so none is forgotten).
REPO_CATALOGUE_TESTS = (
    "tests/test_repository.py",
    "tests/test_stack.py",
    "tests/test_cli.py",
    "tests/generate/test_argocd.py",
)


def test_the_daily_path_runs_every_repo_catalogue_test():
    marked = {
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("test_*.py")
        if "pytest.mark.repo_catalogue" in path.read_text(encoding="utf-8")
    }
    assert marked == set(REPO_CATALOGUE_TESTS)


# --- the catalogue split per team (README "Splitting the catalogue per team") --------


def split_per_team(catalogue: Path) -> list[Path]:
    """Move every service of ``catalogue`` into teams/<team>.yaml (``include: [teams/*.yaml]``);
    the rest stays. The files written."""
    data = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    teams: dict[str, list] = {}
    for service in data.pop("services"):
        teams.setdefault(service["team"], []).append(service)
    data["include"] = [*(data.get("include") or []), "teams/*.yaml"]
    (catalogue.parent / "teams").mkdir(exist_ok=True)
    written = [catalogue]
    catalogue.write_text(
        "# yaml-language-server: $schema=services.schema.json\n" + yaml.safe_dump(data, sort_keys=False),
        encoding="utf-8",
    )
    for team, services in teams.items():
        path = catalogue.parent / "teams" / f"{team}.yaml"
        header = "# yaml-language-server: $schema=../services.include.schema.json\n"
        path.write_text(header + yaml.safe_dump({"services": services}, sort_keys=False), encoding="utf-8")
        written.append(path)
    return written


@pytest.mark.skipif(
    GIT is None or not (REPO / ".git").exists(), reason="needs git and a git checkout of the repository"
)
def test_the_catalogue_split_per_team_keeps_every_repo_catalogue_test_green(tmp_path):
    clone = clone_of_the_repository(tmp_path / "clone")
    teams = split_per_team(clone / "services.yaml")[1:]
    assert "services:" not in (clone / "services.yaml").read_text(encoding="utf-8").splitlines()
    synth = python(clone, "-m", "opsgen", "synth")
    assert synth.returncode == 0, synth.stderr
    sources = {
        line
        for path in (clone / "dist").rglob("*.yaml")
        for line in path.read_text(encoding="utf-8").splitlines()[:3]
        if "# source: " in line
    }
    assert any("teams/" in line for line in sources), sources  # a service's files name the file it is written in
    edited = add_service(clone / "services.yaml", unique(service_from_the_docs(), clone / "services.yaml"))
    assert edited == teams[0]
    assert python(clone, "-m", "opsgen", "synth").returncode == 0
    tests = python(clone, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "repo_catalogue", *REPO_CATALOGUE_TESTS)
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and " failed" not in tests.stdout
    stack = python(clone, "-m", "opsgen", "check", "--stack")
    assert stack.returncode == 0, stack.stdout + stack.stderr
