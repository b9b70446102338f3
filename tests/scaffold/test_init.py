"""``opsgen init [DIR]``: a catalogue repository for the installed tool, which synth,
check and ``npx cdk8s synth`` work in at once; never over anything already there."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from opsgen import scaffold
from opsgen.catalogue import schema
from tests.conftest import REPO
from tests.support import install

CDK8S = REPO / "node_modules" / ".bin" / "cdk8s"


def test_init_writes_the_scaffold_and_refuses_a_folder_that_is_not_empty(tmp_path, run):
    target = tmp_path / "catalogue"
    code, stdout, _ = run("init", target)
    assert code == 0 and f"opsgen: {target}: " in stdout
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert written == sorted(scaffold.scaffold(stack=False))
    before = {p: p.read_bytes() for p in target.rglob("*") if p.is_file()}
    code, _, err = run("init", target)
    assert (
        code == 2
        and err == f"opsgen: error: {target} is not an empty folder; opsgen init writes only into an empty or new one\n"
    )
    assert {p: p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    (tmp_path / "file").write_text("mine\n")
    assert run("init", tmp_path / "file")[0] == 2 and (tmp_path / "file").read_text() == "mine\n"


def test_a_file_that_appears_meanwhile_is_never_overwritten(tmp_path, monkeypatch):
    real, target = Path.mkdir, tmp_path / "new"

    def racing(self: Path, *args, **kwargs) -> None:  # the first folder created: another writer gets in
        real(self, *args, **kwargs)
        if self == target:
            (target / "services.yaml").write_text("mine\n")

    monkeypatch.setattr(Path, "mkdir", racing)
    with pytest.raises(FileExistsError):
        scaffold.create(target)
    assert (target / "services.yaml").read_text() == "mine\n"


def test_the_scaffold_names_what_it_uses():
    files = scaffold.scaffold(stack=False)
    assert files["services.yaml"].startswith(b"# yaml-language-server: $schema=services.schema.json\n")
    assert files["services.schema.json"] == schema.schema_json().encode()
    ours = json.loads((REPO / "package.json").read_text(encoding="utf-8"))["devDependencies"]["cdk8s-cli"]
    assert json.loads(files["package.json"])["devDependencies"]["cdk8s-cli"] == ours == scaffold.CDK8S_CLI
    assert yaml.safe_load(files["cdk8s.yaml"])["app"] == "python3 main.py"
    workflow = yaml.safe_load(files[".github/workflows/opsgen.yaml"])
    (job,) = workflow["jobs"].values()
    uses = [step.get("uses", "") for step in job["steps"]]
    assert uses[-1].endswith(f"/{scaffold.ACTION}@{scaffold.revision()}") and not any(
        "run" in step for step in job["steps"]
    )
    hooks = yaml.safe_load(files[".pre-commit-config.yaml"])["repos"]
    assert hooks == [
        {
            "repo": scaffold.source(),
            "rev": scaffold.revision(),
            "hooks": [{"id": "opsgen-validate"}, {"id": "opsgen-check"}],
        }
    ]
    listed = [hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))]
    assert list(scaffold.HOOKS) == listed
    assert "/cdk8s.out/" in files[".gitignore"].decode().splitlines()


def test_the_stack_files_are_this_repositorys():
    files = scaffold.scaffold(stack=True)
    stack = {rel: body for rel, body in files.items() if rel not in scaffold.scaffold(stack=False)}
    assert stack and all((REPO / rel).read_bytes() == body for rel, body in stack.items())
    assert {rel.split("/", 1)[0] for rel in stack} == {"helmfile.yaml", "environments", "charts"}


@pytest.mark.skipif(not CDK8S.exists(), reason="node_modules/.bin/cdk8s missing: run `make deps` (npm ci)")
def test_synth_check_and_npx_cdk8s_synth_work_in_a_new_catalogue(installed, tmp_path):
    """The installed tool (not this checkout): `python3` on PATH is the system's, without opsgen,
    so main.py finds opsgen's own Python through the `opsgen` command."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "opsgen").symlink_to(installed / "bin" / "opsgen")
    env = dict(os.environ, PATH=install.user_path(bin_dir))
    for name in ("CDK8S_CHECK_UPGRADE", "PYTHONPATH"):
        env.pop(name, None)
    target = tmp_path / "catalogue"

    def sh(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            argv, cwd=target if target.exists() else tmp_path, env=env, capture_output=True, text=True, timeout=300
        )

    for argv in (["opsgen", "init", str(target), "--stack"], ["opsgen", "synth"], ["opsgen", "check", "--stack"]):
        done = sh(*argv)
        assert done.returncode == 0, (argv, done.stderr)
    (target / "node_modules").symlink_to(REPO / "node_modules")  # npm ci would install the same pinned cdk8s-cli
    npm_script = json.loads((target / "package.json").read_text())["scripts"]["synth"].split()
    done = sh(str(CDK8S), *npm_script[1:])
    assert done.returncode == 0, done.stderr
    assert "http error" not in done.stderr and "Traceback" not in done.stderr and "new version" not in done.stderr
    assert sh("opsgen", "check").returncode == 0
    assert (target / "cdk8s.out" / "opsgen.k8s.yaml").is_file()
    text = (target / "services.yaml").read_text(encoding="utf-8")
    (target / "services.yaml").write_text(text.replace("maxReplicas: 6", "maxReplicas: 0"), encoding="utf-8")
    done = sh(str(CDK8S), *npm_script[1:])
    assert done.returncode == 1
    assert "services.yaml:" in done.stderr and "nothing written" in done.stderr
    assert "    at " not in done.stderr, "cdk8s-cli printed a stack trace after opsgen's error"
