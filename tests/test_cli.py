"""The opsgen command: synth, check, validate, schema; exit codes as opsgen/usage.py lists them (tests/test_usage.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opsgen import conventions
from opsgen.cli import main
from opsgen.output import write
from tests.conftest import REPO, VALID

BAD = VALID.replace("maxReplicas: 4", "maxReplicas: 0")


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file and directory under root with its bytes and mtime."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        out[rel] = (path.read_bytes() if path.is_file() else b"<dir>", path.stat().st_mtime_ns)
    return out


@pytest.fixture
def synthesized(tmp_path, write_catalogue, run):
    catalogue = write_catalogue(VALID)
    out = tmp_path / "dist"
    code, _, err = run("synth", "-c", catalogue, "-o", out)
    assert code == 0, err
    return catalogue, out


def test_synth_writes_one_directory_per_environment(tmp_path, write_catalogue, run):
    text = VALID.replace("services:\n", "environments:\n  dev: {maxSeverity: warn}\n  prod:\nservices:\n", 1)
    catalogue = write_catalogue(text)
    out = tmp_path / "dist"
    code, stdout, err = run("synth", "-c", catalogue, "-o", out)
    assert code == 0 and err == ""
    assert sorted(p.name for p in out.iterdir()) == ["dev", "prod"]
    for env in ("dev", "prod"):
        assert (out / env / "apps" / "worker.yaml").is_file()
        assert (out / env / "apps" / "_namespace.yaml").is_file()
        assert f"opsgen: {out}/{env}: " in stdout


def test_synth_without_environments_writes_into_out(synthesized):
    _, out = synthesized
    assert {"apps/_namespace.yaml", "apps/worker.yaml", "apps/api.yaml"} <= set(write.existing_files(out))


def test_check_is_clean_after_synth(synthesized, run):
    catalogue, out = synthesized
    code, stdout, err = run("check", "-c", catalogue, "-o", out)
    assert code == 0 and err == ""
    assert stdout.startswith(f"opsgen: {out} is up to date (")


def test_check_names_missing_changed_and_extra_files(synthesized, run):
    catalogue, out = synthesized
    (out / "apps" / "worker.yaml").unlink()
    (out / "apps" / "api.yaml").write_text((out / "apps" / "api.yaml").read_text() + "# edited by hand\n")
    (out / "apps" / "stale.yaml").write_text(conventions.HEADER + "\n")
    before = snapshot(out)
    code, stdout, err = run("check", "-c", catalogue, "-o", out)
    assert code == 1 and stdout == ""
    lines = err.splitlines()
    assert f"opsgen: {out}: missing: apps/worker.yaml" in lines
    assert f"opsgen: {out}: changed: apps/api.yaml" in lines
    assert f"opsgen: {out}: extra:   apps/stale.yaml" in lines
    assert (
        lines[-1]
        == "opsgen: the output is stale; 'opsgen diff' shows the changes; run 'opsgen synth' (make synth) and commit the result"
    )
    assert snapshot(out) == before  # check never writes


def test_check_on_missing_output(tmp_path, write_catalogue, run):
    code, _, err = run("check", "-c", write_catalogue(VALID), "-o", tmp_path / "nothing")
    assert code == 1 and "missing: apps/worker.yaml" in err
    assert not (tmp_path / "nothing").exists()


def test_synth_removes_stale_files_and_keeps_hand_written_ones(synthesized, run):
    catalogue, out = synthesized
    (out / "apps" / "README.md").write_text("notes by a human\n")
    (out / "kustomization.yaml").write_text("resources: []\n")
    catalogue.write_text(VALID.replace("  - name: api\n", "  - name: api2\n"))
    code, _, err = run("synth", "-c", catalogue, "-o", out)
    assert code == 0, err
    files = set(write.existing_files(out))
    assert "apps/api.yaml" not in files  # generated before, no longer produced
    assert {"apps/api2.yaml", "apps/README.md", "kustomization.yaml"} <= files
    assert (out / "apps" / "README.md").read_text() == "notes by a human\n"
    code, stdout, err = run("check", "-c", catalogue, "-o", out)  # check agrees with synth: they are kept
    assert code == 0 and err == "", err
    assert f"opsgen: {out}: not generated, kept: apps/README.md" in stdout.splitlines()
    assert f"opsgen: {out}: not generated, kept: kustomization.yaml" in stdout.splitlines()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".dist.opsgen-")]  # no staging left


def test_synth_twice_is_idempotent(synthesized, run):
    catalogue, out = synthesized
    first = {k: v[0] for k, v in snapshot(out).items()}
    assert run("synth", "-c", catalogue, "-o", out)[0] == 0
    assert {k: v[0] for k, v in snapshot(out).items()} == first


@pytest.mark.parametrize("command", ["synth", "check"])
def test_bad_catalogue_leaves_output_untouched(synthesized, run, command):
    catalogue, out = synthesized
    (out / "notes.txt").write_text("mine\n")
    before = snapshot(out)
    catalogue.write_text(BAD)
    code, stdout, err = run(command, "-c", catalogue, "-o", out)
    assert code == 3 and stdout == ""
    assert err.splitlines() == [
        f"{catalogue}:11:7: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)",
        f"opsgen: 1 problem in {catalogue}" + ("; nothing written" if command == "synth" else ""),
    ]
    assert "Traceback" not in err
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(["dist", "services.yaml"])


def test_bad_catalogue_does_not_create_output(tmp_path, write_catalogue, run):
    code, _, _ = run("synth", "-c", write_catalogue(BAD), "-o", tmp_path / "dist")
    assert code == 3 and not (tmp_path / "dist").exists()


def test_failure_while_writing_leaves_old_output_whole(synthesized, run, monkeypatch):
    """A crash half-way through writing (disk full) changes nothing, and says so."""
    catalogue, out = synthesized
    before = snapshot(out)
    catalogue.write_text(VALID.replace("maxReplicas: 4", "maxReplicas: 5"))
    real = Path.write_bytes
    calls = []

    def failing(self, data):
        calls.append(self)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    code, stdout, err = run("synth", "-c", catalogue, "-o", out)
    assert len(calls) == 2
    assert code == 4 and stdout == ""
    assert err == f"opsgen: cannot write {out}: No space left on device; nothing changed\n"
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["dist", "services.yaml"]  # no staging left behind


@pytest.mark.parametrize("target", ["services.yaml", "notes.txt", ".", "..", "{tmp}"])
def test_synth_refuses_an_output_that_is_a_file_or_holds_the_catalogue(
    tmp_path, write_catalogue, run, monkeypatch, target
):
    """Synth replaces its output directory whole: '-o .' would swap out the repository."""
    catalogue = write_catalogue(VALID)
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, stdout, err = run("synth", "-c", "services.yaml", "-o", target.format(tmp=tmp_path))
    assert code == 2 and stdout == ""
    assert err.startswith("opsgen: error: the output ") and "Traceback" not in err
    assert snapshot(tmp_path) == before
    assert catalogue.read_text() == VALID


def test_all_problems_reported_one_line_each(tmp_path, write_catalogue, run):
    text = (
        VALID.replace("name: demo", "name: Demo")
        .replace("maxReplicas: 4", "maxReplicas: 0")
        .replace(
            "team: core\n    metrics: {port: http, monitor: pod}",
            "team: core\n    metrics: {port: http, monitor: pods}",
        )
    )
    catalogue = write_catalogue(text)
    code, _, err = run("validate", "-c", catalogue)
    lines = err.splitlines()
    assert code == 3 and len(lines) == 4, err
    assert all(line.startswith(f"{catalogue}:") for line in lines[:3])
    assert lines[3] == f"opsgen: 3 problems in {catalogue}"  # validate never writes: it does not say "nothing written"


def test_validate_ok(write_catalogue, run):
    catalogue = write_catalogue(VALID)
    assert run("validate", "-c", catalogue) == (0, f"opsgen: {catalogue} is valid\n", "")


def test_missing_catalogue(tmp_path, run):
    code, _, err = run("validate", "-c", tmp_path / "nope.yaml")
    assert code == 3
    assert err.splitlines()[0] == f"{tmp_path / 'nope.yaml'}:1:1: cannot read the catalogue: No such file or directory"


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["synth", "--bogus"], ["validate", "-o", "x"], ["synth", "-c"]])
def test_usage_errors_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "usage: opsgen" in err and "Traceback" not in err


def test_help_exits_0(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    assert "synth" in capsys.readouterr().out


def test_schema_matches_committed_file(run):
    code, stdout, err = run("schema")
    assert code == 0 and err == ""
    committed = REPO / "services.schema.json"
    assert committed.is_file(), "services.schema.json is missing: opsgen schema > services.schema.json"
    assert stdout == committed.read_text(encoding="utf-8"), (
        "services.schema.json is stale: opsgen schema > services.schema.json"
    )
    schema = json.loads(stdout)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert set(schema["required"]) == {"platform"} and schema["then"] == {"required": ["services"]}  # or include


@pytest.mark.repo_catalogue
def test_committed_schema_accepts_the_repository_catalogue():
    import jsonschema
    import yaml

    schema = json.loads((REPO / "services.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(yaml.safe_load((REPO / "services.yaml").read_text()))


def _subprocess(*argv, cwd):
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20")
    return subprocess.run(
        [sys.executable, "-m", "opsgen", *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_process_exit_codes_and_no_traceback(tmp_path, write_catalogue):
    write_catalogue(BAD)
    bad = _subprocess("synth", cwd=tmp_path)
    assert bad.returncode == 3 and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines()[-1] == "opsgen: 1 problem in services.yaml; nothing written"
    assert not (tmp_path / "dist").exists()
    usage = _subprocess("synthesize", cwd=tmp_path)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr and "usage: opsgen" in usage.stderr
    write_catalogue(VALID)
    good = _subprocess("synth", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stderr == ""  # no jsii banner, no warnings
    assert (tmp_path / "dist" / "apps" / "worker.yaml").is_file()
    assert _subprocess("check", cwd=tmp_path).returncode == 0


# -- check and synth agree; diff; formats; --version ---------------------------------------


def test_check_keeps_what_synth_keeps_and_fails_on_what_synth_removes(synthesized, run):
    catalogue, out = synthesized
    (out / "apps" / "notes.yaml").write_text("# mine\nkind: Note\n")
    code, stdout, err = run("check", "-c", catalogue, "-o", out)
    assert code == 0 and err == ""
    assert stdout.splitlines()[0] == f"opsgen: {out}: not generated, kept: apps/notes.yaml"
    assert stdout.splitlines()[1].startswith(f"opsgen: {out} is up to date (")
    (out / "apps" / "stale.yaml").write_text(conventions.HEADER + "\nkind: Old\n")  # opsgen's, no longer produced
    code, _, err = run("check", "-c", catalogue, "-o", out)
    assert code == 1 and f"opsgen: {out}: extra:   apps/stale.yaml" in err.splitlines()
    assert run("synth", "-c", catalogue, "-o", out)[0] == 0
    assert not (out / "apps" / "stale.yaml").exists() and (out / "apps" / "notes.yaml").exists()
    assert run("check", "-c", catalogue, "-o", out)[0] == 0


def test_diff_is_quiet_and_exits_0_when_nothing_would_change(synthesized, run):
    catalogue, out = synthesized
    assert run("diff", "-c", catalogue, "-o", out) == (0, f"opsgen: {out} is up to date; nothing would change\n", "")


def test_diff_names_the_changed_objects_and_writes_nothing(synthesized, run):
    catalogue, out = synthesized
    catalogue.write_text(
        VALID.replace("maxReplicas: 4", "maxReplicas: 5").replace("  - name: api\n", "  - name: api2\n")
    )
    before = snapshot(out)
    code, stdout, err = run("diff", "-c", catalogue, "-o", out)
    assert code == 1
    lines = stdout.splitlines()
    assert f"removed: {out}/apps/api.yaml" in lines and f"added: {out}/apps/api2.yaml" in lines
    assert f"changed: {out}/apps/worker.yaml" in lines and "  changed: ScaledObject apps/worker" in lines
    assert "  removed: PodMonitor apps/api" in lines and "  added: PodMonitor apps/api2" in lines
    assert "-  maxReplicaCount: 4" in lines and "+  maxReplicaCount: 5" in lines
    assert re.fullmatch(
        r"opsgen: \d+ files would change \(1 added, \d+ changed, 1 removed\); run 'opsgen synth' \(make synth\) to write them\n",
        err,
    )
    assert snapshot(out) == before


def test_diff_markdown_for_a_pull_request_comment(synthesized, run):
    catalogue, out = synthesized
    catalogue.write_text(VALID.replace("maxReplicas: 4", "maxReplicas: 5"))
    code, stdout, _ = run("diff", "-c", catalogue, "-o", out, "--format", "markdown")
    assert code == 1
    # the default slo.backlog follows maxReplicas (effective maximum x lagThreshold): the rule changes too
    changed = "changed: ScaledObject apps/worker<br>changed: PrometheusRule apps/worker-alerts"
    assert f"| `{out}/apps/worker.yaml` | changed | {changed} |" in stdout
    assert "<details><summary>" in stdout and "```diff\n" in stdout


@pytest.mark.parametrize("command", ["check", "diff"])
def test_stale_output_as_github_annotations_and_json(synthesized, run, command):
    catalogue, out = synthesized
    catalogue.write_text(VALID.replace("maxReplicas: 4", "maxReplicas: 5"))
    code, stdout, _ = run(command, "-c", catalogue, "-o", out, "--format", "github")
    assert code == 1 and stdout.startswith(f"::error file={out}/apps/worker.yaml::")
    code, stdout, _ = run(command, "-c", catalogue, "-o", out, "--format", "json")
    findings = json.loads(stdout)  # diff: one per changed object (the default backlog follows maxReplicas: two)
    assert (
        code == 1
        and findings
        and all(f["file"] == f"{out}/apps/worker.yaml" and f["severity"] == "error" for f in findings)
    )


@pytest.mark.parametrize("command", ["validate", "check", "diff"])
def test_catalogue_errors_as_github_annotations_and_json(write_catalogue, run, command, tmp_path):
    catalogue = write_catalogue(BAD)
    extra = ["-o", tmp_path / "dist"] if command != "validate" else []
    code, stdout, err = run(command, "-c", catalogue, *extra, "--format", "github")
    assert code == 3
    assert (
        stdout
        == f"::error file={catalogue},line=11,col=7::scaling.maxReplicas (0) must be >= scaling.minReplicas (1)\n"
    )
    assert err == f"opsgen: 1 problem in {catalogue}\n"  # validate, check and diff never write
    code, stdout, _ = run(command, "-c", catalogue, *extra, "--format", "json")
    assert code == 3 and json.loads(stdout) == [
        {
            "file": str(catalogue),
            "line": 11,
            "col": 7,
            "severity": "error",
            "message": "scaling.maxReplicas (0) must be >= scaling.minReplicas (1)",
        }
    ]


def test_a_valid_catalogue_in_json_is_an_empty_list(write_catalogue, run):
    assert run("validate", "-c", write_catalogue(VALID), "--format", "json") == (0, "[]\n", "")


def test_kept_files_are_notices_in_github_format(synthesized, run):
    catalogue, out = synthesized
    (out / "notes.txt").write_text("mine\n")
    code, stdout, _ = run("check", "-c", catalogue, "-o", out, "--format", "github")
    assert code == 0 and stdout == f"::notice file={out}/notes.txt::not generated, kept\n"


def test_version_names_opsgen_cdk8s_and_jsii(capsys):
    from importlib import metadata

    from opsgen import __version__

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert (
        capsys.readouterr().out
        == f"opsgen {__version__} (cdk8s {metadata.version('cdk8s')}, jsii {metadata.version('jsii')})\n"
    )


def test_the_stack_is_checked_only_when_asked(synthesized, run):
    catalogue, out = synthesized
    (catalogue.parent / "helmfile.yaml").write_text("releases: []\n")  # no kube-prometheus-stack: a problem
    assert run("check", "-c", catalogue, "-o", out)[0] == 0
    code, _, err = run("check", "--stack", "-c", catalogue, "-o", out)
    assert code == 1 and re.search(r"opsgen: stack: helmfile.yaml:\d+:\d+: no kube-prometheus-stack release", err), err


@pytest.mark.parametrize(
    "helmfile",
    [
        "releases: {a: 1}\n",
        "- a\n- b\n",
        "releases: [x]\n",
        "environments: [dev]\n",
        "{{ bad\n",
        "a: {{ .Values.x }}\n",
    ],
)
def test_a_helmfile_opsgen_cannot_read_is_not_checked(synthesized, run, helmfile):
    catalogue, out = synthesized
    (catalogue.parent / "helmfile.yaml").write_text(helmfile)
    code, stdout, err = run("check", "--stack", "-c", catalogue, "-o", out)
    assert "Traceback" not in err
    assert "opsgen: stack: helmfile.yaml: not checked" in stdout, stdout + err
    assert not [line for line in err.splitlines() if "helmfile.yaml" in line]  # never a failure of its own


def test_synth_can_also_write_one_stream(tmp_path, write_catalogue, run):
    from opsgen.output import stream

    catalogue, out, file = write_catalogue(VALID), tmp_path / "dist", tmp_path / "all" / "stream.yaml"
    code, stdout, _ = run("synth", "-c", catalogue, "-o", out, "--stream", file)
    assert code == 0 and f"opsgen: {file}: " in stdout
    assert file.read_bytes() == stream.join({p: (out / p).read_bytes() for p in write.existing_files(out)})
    file.unlink()
    shutil.rmtree(out)
    assert run("synth", "-c", catalogue, "--stream", file, "--stream-only")[0] == 0
    assert file.is_file() and not out.exists()


def test_stream_only_needs_a_stream(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["synth", "--stream-only"])
    assert caught.value.code == 2 and "--stream-only needs --stream FILE" in capsys.readouterr().err


def test_make_test_checks_dist_and_the_stack():
    """CI (make test) runs the stack check: it is asked for there, and only there."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "opsgen check --stack" in recipe


def test_ctrl_c_while_node_is_probed_is_one_line_not_a_traceback(monkeypatch, capsys) -> None:
    """The Node check runs before the build: a ^C there is handled like any other."""
    from opsgen import cli

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_unusable_environment", interrupted)
    assert cli.main(["validate", "-c", "services.yaml"]) == 130
    assert capsys.readouterr().err == "opsgen: interrupted\n"
