"""Exit codes a script can rely on (opsgen/usage.py), the same for every command and
told by every --help and by the README; an example in every --help; --version."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen import usage
from opsgen.cli import _parser, _subparsers, main
from tests.conftest import REPO, VALID

BAD = VALID.replace("maxReplicas: 4", "maxReplicas: 0")
COMMANDS = sorted(_subparsers(_parser()))


def help_of(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as caught:
        main([*argv, "--help"])
    assert caught.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_shows_an_example_and_the_exit_codes(command, capsys):
    text = help_of([command] if command else [], capsys)
    assert f"example:\n  {usage.EXAMPLES[command]}\n" in text
    for code, meaning in usage.EXIT_CODES:
        assert f"{code:>3}  {meaning}" in text


def test_every_command_has_an_example():
    assert set(usage.EXAMPLES) == {None, *COMMANDS}


def test_the_readme_lists_the_same_exit_codes():
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code, meaning in usage.EXIT_CODES:
        assert f"| {code} | {meaning} |" in section


def test_a_wrong_option_is_told_with_the_commands_own_usage(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["synth", "-q"])
    err = capsys.readouterr().err
    assert caught.value.code == usage.USAGE
    assert err.startswith("usage: opsgen synth ") and err.endswith("opsgen synth: error: unrecognized arguments: -q\n")


def test_one_meaning_per_code_across_commands(tmp_path, write_catalogue, run):
    catalogue, out = write_catalogue(VALID), tmp_path / "dist"
    assert run("synth", "-c", catalogue, "-o", out)[0] == usage.OK
    for command in ("check", "diff"):
        assert run(command, "-c", catalogue, "-o", out)[0] == usage.OK  # nothing to change
    catalogue.write_text(VALID.replace("maxReplicas: 4", "maxReplicas: 5"), encoding="utf-8")
    for command in ("check", "diff"):
        assert run(command, "-c", catalogue, "-o", out)[0] == usage.CHANGES
    catalogue.write_text(BAD, encoding="utf-8")
    for command in ("validate", "synth", "check", "diff", "show"):
        argv = [command, "-c", catalogue, *(["-o", out] if command != "validate" and command != "show" else [])]
        assert run(*argv, *(["worker"] if command == "show" else []))[0] == usage.INVALID, command
    catalogue.write_text(VALID, encoding="utf-8")
    assert run("show", "nobody", "-c", catalogue)[0] == usage.USAGE


def test_a_problem_in_an_included_file_is_summarised_with_that_files_name(tmp_path, run):
    (tmp_path / "teams").mkdir()
    header, services = VALID.split("services:\n", 1)
    (tmp_path / "services.yaml").write_text(header + "include: [teams/*.yaml]\n", encoding="utf-8")
    (tmp_path / "teams" / "billing.yaml").write_text(
        "services:\n" + services.replace("maxReplicas: 4", "maxReplicas: 0"), encoding="utf-8"
    )
    code, _, err = run("validate", "-c", tmp_path / "services.yaml")
    assert code == usage.INVALID
    assert err.splitlines()[-1] == f"opsgen: 1 problem in {tmp_path / 'teams' / 'billing.yaml'}"


def opsgen(cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "opsgen", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_no_node_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "services.yaml").write_text(VALID, encoding="utf-8")
    env = dict(os.environ, PATH=str(tmp_path / "empty"))
    env.pop("JSII_NODE", None)
    for command in ("synth", "check", "diff"):
        done = opsgen(tmp_path, env, command)
        assert (done.returncode, done.stdout) == (usage.USAGE, "")
        assert (
            done.stderr
            == "opsgen: error: node not found: opsgen needs Node.js 20 or later on PATH (cdk8s runs in it)\n"
        )
    assert not (tmp_path / "dist").exists()
    assert opsgen(tmp_path, env, "validate").returncode == usage.OK  # validate needs no Node


@pytest.mark.parametrize(
    "script, said",
    [
        ("exit 1", "--version did not print a Node.js version (exit 1)"),
        ("echo v18.20.4", "is Node.js v18.20.4: opsgen needs 20 or later"),
    ],
)
def test_an_unusable_node_is_one_line_and_exit_2(tmp_path, script, said):
    (tmp_path / "services.yaml").write_text(VALID, encoding="utf-8")
    fake = tmp_path / "node"
    fake.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    done = opsgen(tmp_path, dict(os.environ, JSII_NODE=str(fake)), "synth")
    assert done.returncode == usage.USAGE and len(done.stderr.splitlines()) == 1
    assert said in done.stderr and "Traceback" not in done.stderr
