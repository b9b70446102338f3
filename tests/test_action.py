"""The reusable action's steps, run here as the runner would run them: opsgen installed
from the action's own checkout into a venv of its own, then ``opsgen check --format
github`` in a catalogue repository that holds nothing of opsgen's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import BUNDLED, REPO
from tests.support import install

ACTION = REPO / ".github" / "actions" / "opsgen-check"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def run_step(step: dict, context: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    """A composite step's ``run`` under bash, its env's expressions resolved from ``context``."""
    resolve = lambda text: EXPRESSION.sub(lambda m: context[m.group(1)], str(text))  # noqa: E731
    env = dict(os.environ, PATH=install.user_path(), **{k: resolve(v) for k, v in step.get("env", {}).items()})
    env.pop("PYTHONPATH", None)
    where = cwd / resolve(step.get("working-directory", "."))
    assert step["shell"] == "bash"
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], cwd=where, env=env, capture_output=True, text=True, timeout=600
    )


def test_the_actions_steps_install_opsgen_and_check_a_catalogue(tmp_path):
    action = yaml.safe_load((ACTION / "action.yml").read_text(encoding="utf-8"))
    caller = tmp_path / "caller"
    caller.mkdir()
    shutil.copy(BUNDLED, caller / "services.yaml")
    shutil.copytree(BUNDLED.parent / "metrics", caller / "metrics")
    assert subprocess.run([sys.executable, "-m", "opsgen", "synth"], cwd=caller, capture_output=True).returncode == 0
    source = install.copy_of_the_checkout(tmp_path / "action-checkout")  # what `uses:` checks out
    context = {
        "github.action_path": str(source / ".github" / "actions" / "opsgen-check"),
        "runner.temp": str(tmp_path / "runner-temp"),
        "steps.python.outputs.python-path": sys.executable,  # setup-python's: any supported Python
        **{f"inputs.{name}": str(spec["default"]) for name, spec in action["inputs"].items()},
    }
    (tmp_path / "runner-temp").mkdir()
    scripts = [s for s in action["runs"]["steps"] if "run" in s]
    assert [s["name"] for s in scripts] == ["install opsgen", "opsgen check --format github"]
    installed = run_step(scripts[0], context, caller)
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.startswith("opsgen ")
    checked = run_step(scripts[1], context, caller)
    assert (checked.returncode, checked.stdout) == (0, ""), checked.stderr
    (caller / "dist" / "prod" / "agents" / "coding-agent.yaml").write_text("# changed by hand\n")
    stale = run_step(scripts[1], context, caller)
    assert stale.returncode == 1
    assert stale.stdout.startswith("::error file=dist/prod/agents/coding-agent.yaml::changed: ")
