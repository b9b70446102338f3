"""CI and editors: the shipped workflow, the reusable action and the pre-commit hooks.
Actions are pinned by full commit SHA; the upstream CRDs are fetched at pinned
commits and checked against sha256 sums that match the CRDs the tests use here."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.support import manifests

WORKFLOW = REPO / ".github" / "workflows" / "opsgen.yaml"
ACTION = REPO / ".github" / "actions" / "opsgen-check" / "action.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
CRDS = REPO / "scripts" / "crds.txt"
ARGOCD_CRDS = REPO / "scripts" / "crds-argocd.txt"
FETCH = REPO / "scripts" / "fetch-crds.sh"
SHA = re.compile(r"^[0-9a-f]{40}$")
# Read from the actions' own repositories (git rev-parse <tag>^{commit}).
PINNED = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/setup-node": ("49933ea5288caeca8642d1e84afbd3f7d6820020", "v4.4.0"),
}
UPSTREAM = {  # the CRDs' repositories at the stack's versions (tag -> commit)
    "prometheus-operator/prometheus-operator": "20beb0b00b0bb61840ec2461ace4f22e4037b474",  # v0.73.2
    "kedacore/keda": "41dd7a8558fdb274f2c0861f6c6d1eba01f2dcd5",  # v2.13.1
}


def load(path: Path) -> dict | list:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(doc: dict) -> list[dict]:
    if "runs" in doc:
        return doc["runs"]["steps"]
    return [s for job in doc["jobs"].values() for s in job["steps"]]


@pytest.mark.parametrize("path", [WORKFLOW, ACTION], ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    for step in steps(load(path)):
        uses = step.get("uses")
        if uses is None or uses.startswith("./"):
            continue
        name, _, ref = uses.partition("@")
        assert SHA.match(ref), f"{path.name}: {uses} is not pinned by a full commit SHA"
        assert PINNED.get(name, (None,))[0] == ref, f"{path.name}: {uses} is not the commit read from {name}"
        (line,) = [line for line in lines if uses in line]
        assert line.rstrip().endswith(f"# {PINNED[name][1]}"), f"{path.name}: say which tag {ref} is"


def test_the_workflow_checks_with_the_action_and_tests_with_the_crds():
    workflow = steps(load(WORKFLOW))
    (check,) = [s for s in workflow if s.get("uses") == "./.github/actions/opsgen-check"]
    assert check["with"] == {"catalogue": "services.yaml", "out": "dist", "stack": "true"}
    runs = [s.get("run", "") for s in workflow]
    fetch = next(i for i, r in enumerate(runs) if "scripts/fetch-crds.sh" in r)
    test = next(i for i, r in enumerate(runs) if "make test" in r)
    assert fetch < test and "OPSGEN_CRD_DIR=" in runs[fetch] and "GITHUB_ENV" in runs[fetch]
    assert "--list scripts/crds-argocd.txt" in runs[fetch] and "OPSGEN_ARGOCD_CRD_DIR=" in runs[fetch]
    python = next(s for s in workflow if s.get("uses", "").startswith("actions/setup-python@"))
    assert str(python["with"]["python-version"]).split() == ["3.12", "3.13", "3.11"]  # tests/test_pythons.py


def test_the_action_runs_check_with_annotations():
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"catalogue", "out", "stack", "working-directory"}
    run = "\n".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "make" not in run and ".venv/bin" not in run, "nothing of opsgen's own build runs in the caller's repository"
    assert "check --format github" in run and '-c "$OPSGEN_CATALOGUE"' in run and "--stack" in run
    assert "${{" not in run, "inputs reach the script through env, never pasted into it"


def node_versions(path: Path) -> list[str]:
    return [
        str(s["with"]["node-version"]) for s in steps(load(path)) if s.get("uses", "").startswith("actions/setup-node@")
    ]


@pytest.mark.parametrize("path", [WORKFLOW, ACTION], ids=lambda p: p.name)
def test_node_is_a_supported_lts_and_its_end_of_life_is_not_silenced(path):
    """Node 24: LTS until 2028-04-30 in jsii 1.142's own release table (20 ended 2026-04-30)."""
    assert node_versions(path) == ["24"]
    assert "JSII_SILENCE_WARNING_END_OF_LIFE" not in path.read_text(encoding="utf-8")


def test_the_pre_commit_hooks_cover_the_catalogue_and_its_included_files():
    hooks = {h["id"]: h for h in load(HOOKS)}
    assert set(hooks) == {"opsgen-validate", "opsgen-check"}
    assert hooks["opsgen-validate"]["entry"].startswith("opsgen validate")
    assert hooks["opsgen-check"]["entry"].startswith("opsgen check")
    for hook in hooks.values():  # pre-commit installs opsgen itself: nothing of the caller's is needed
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        files = re.compile(hook["files"])
        assert files.search("services.yaml") and files.search("teams/agents.yaml") and not files.search("README.md")
    assert re.search(hooks["opsgen-check"]["files"], "dist/prod/agents/coding-agent.yaml")
    assert "pre-commit" in (REPO / "README.md").read_text(encoding="utf-8")


def crd_entries(listing: Path = CRDS) -> list[tuple[str, str, str]]:
    lines = [
        line.split() for line in listing.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    return [(sha, name, url) for sha, name, url in lines]


def test_the_crds_are_fetched_at_pinned_commits():
    for sha, name, url in crd_entries():
        assert re.match(r"^[0-9a-f]{64}$", sha), name
        match = re.match(
            r"^https://raw\.githubusercontent\.com/([^/]+/[^/]+)/([0-9a-f]{40})/.+/" + re.escape(name) + "$", url
        )
        assert match and UPSTREAM.get(match.group(1)) == match.group(2), url


def test_the_checksums_match_the_crds_the_tests_use(tmp_path):
    directory, reason = manifests.crd_dir()
    if directory is None:
        pytest.skip(reason)
    assert {name for _, name, _ in crd_entries()} == {p.name for p in Path(directory).glob("*.yaml")}
    done = subprocess.run(["bash", str(FETCH), "--verify", str(directory)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    copy = tmp_path / "crds"
    shutil.copytree(directory, copy)
    changed = copy / "keda.sh_scaledobjects.yaml"
    changed.chmod(0o644)
    changed.write_bytes(changed.read_bytes() + b"\n")
    done = subprocess.run(["bash", str(FETCH), "--verify", str(copy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "keda.sh_scaledobjects.yaml: FAILED" in done.stdout + done.stderr


# Argo CD's CRDs: their own list and folder (OPSGEN_ARGOCD_CRD_DIR), so that the folder
# OPSGEN_CRD_DIR names holds exactly what scripts/crds.txt lists.
ARGOCD = ("argoproj/argo-cd", "206a6eeca509bbf7f239301f3d3fa498c23251a4")  # v2.14.21


def test_the_argocd_crds_are_fetched_at_the_pinned_commit():
    entries = crd_entries(ARGOCD_CRDS)
    assert {name for _, name, _ in entries} == {
        f"argoproj.io_{p}.yaml" for p in ("applications", "applicationsets", "appprojects")
    }
    for sha, name, url in entries:
        assert re.match(r"^[0-9a-f]{64}$", sha), name
        kind = name.removeprefix("argoproj.io_").removesuffix("s.yaml")  # upstream: manifests/crds/<kind>-crd.yaml
        assert url == f"https://raw.githubusercontent.com/{ARGOCD[0]}/{ARGOCD[1]}/manifests/crds/{kind}-crd.yaml", url


def test_the_argocd_checksums_match_the_crds_the_tests_use(tmp_path):
    directory, reason = manifests.crd_dir(manifests.ARGOCD_CRD_DIR_ENV)
    if directory is None:
        pytest.skip(reason)
    assert {name for _, name, _ in crd_entries(ARGOCD_CRDS)} == {p.name for p in Path(directory).glob("*.yaml")}
    done = subprocess.run(
        ["bash", str(FETCH), "--list", str(ARGOCD_CRDS), "--verify", str(directory)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "match crds-argocd.txt" in done.stdout
    copy = tmp_path / "crds"
    shutil.copytree(directory, copy)
    (copy / "argoproj.io_appprojects.yaml").unlink()
    done = subprocess.run(
        ["bash", str(FETCH), "--list", str(ARGOCD_CRDS), "--verify", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and "argoproj.io_appprojects.yaml: FAILED" in done.stdout + done.stderr
