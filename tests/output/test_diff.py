"""opsgen diff: per file, the objects synth would add, change and remove, and a unified diff."""

from __future__ import annotations

from pathlib import Path

import yaml

from opsgen import conventions
from opsgen.output import diff
from opsgen.output.render import dump


def obj(kind: str, name: str, namespace: str | None = "apps", **spec) -> dict:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    return {"apiVersion": "v1", "kind": kind, "metadata": meta, **({"spec": spec} if spec else {})}


def write(out: Path, files: dict[str, bytes]) -> None:
    for rel, body in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(body)


def test_nothing_to_change(tmp_path):
    files = {"apps/a.yaml": dump([obj("ConfigMap", "a")], "s.yaml")}
    write(tmp_path, files)
    assert diff.changes(tmp_path, files) == []
    assert "nothing would change" in diff.markdown(tmp_path, [])


def test_objects_added_changed_and_removed_are_named(tmp_path):
    old = {"apps/a.yaml": dump([obj("ServiceMonitor", "a", x=1), obj("HorizontalPodAutoscaler", "a")], "s.yaml")}
    write(tmp_path, old)
    new = {"apps/a.yaml": dump([obj("ServiceMonitor", "a", x=2), obj("ScaledObject", "a")], "s.yaml")}
    [change] = diff.changes(tmp_path, new)
    assert change.path == "apps/a.yaml" and change.change == diff.CHANGED
    assert [str(o) for o in change.objects] == [
        "changed: ServiceMonitor apps/a",
        "added: ScaledObject apps/a",
        "removed: HorizontalPodAutoscaler apps/a",
    ]
    here = f"{tmp_path}/apps/a.yaml".lstrip("/")
    assert change.diff.startswith(f"--- a/{here}\n+++ b/{here}\n@@ ")
    assert "-  x: 1\n+  x: 2" in change.diff


def test_added_and_removed_files(tmp_path):
    write(tmp_path, {"apps/gone.yaml": dump([obj("Namespace", "gone", namespace=None)], "s.yaml")})
    found = diff.changes(tmp_path, {"apps/new.yaml": dump([obj("ConfigMap", "n")], "s.yaml")})
    assert [(f.path, f.change) for f in found] == [("apps/gone.yaml", diff.REMOVED), ("apps/new.yaml", diff.ADDED)]
    assert [str(o) for o in found[0].objects] == ["removed: Namespace gone"]  # cluster-scoped: no namespace
    assert found[0].diff.splitlines()[1] == "+++ /dev/null"
    assert found[1].diff.splitlines()[0] == "--- /dev/null"
    assert diff.summary(found) == "2 files would change (1 added, 0 changed, 1 removed)"


def test_files_opsgen_did_not_write_are_no_change(tmp_path):
    write(tmp_path, {"apps/README.md": b"notes\n", "kustomization.yaml": b"resources: []\n"})
    assert diff.changes(tmp_path, {}) == []


def test_a_file_that_is_not_yaml_still_gets_a_diff(tmp_path):
    write(tmp_path, {"apps/a.yaml": (conventions.HEADER + "\nkey: [unclosed\n").encode()})
    [change] = diff.changes(tmp_path, {"apps/a.yaml": dump([obj("ConfigMap", "a")], "s.yaml")})
    assert change.objects == () and "-key: [unclosed" in change.diff


def test_text_names_objects_before_each_diff(tmp_path):
    found = diff.changes(tmp_path, {"apps/a.yaml": dump([obj("ConfigMap", "a")], "s.yaml")})
    lines = diff.text(tmp_path, found).splitlines()
    assert lines[:3] == [f"added: {tmp_path}/apps/a.yaml", "  added: ConfigMap apps/a", "--- /dev/null"]


def test_markdown_has_a_table_and_collapsible_diffs(tmp_path):
    write(tmp_path, {"apps/a.yaml": dump([obj("ConfigMap", "a", text="```")], "s.yaml")})
    found = diff.changes(tmp_path, {"apps/a.yaml": dump([obj("ConfigMap", "a", text="````")], "s.yaml")})
    md = diff.markdown(tmp_path, found)
    assert "| file | change | objects |" in md
    assert f"| `{tmp_path}/apps/a.yaml` | changed | changed: ConfigMap apps/a |" in md
    assert "<details><summary>changed: " in md and "</details>" in md
    assert "\n`````diff\n" in md  # the fence is longer than any run of backticks in the diff


def test_markdown_stays_under_a_comment_limit(tmp_path):
    big = {f"apps/f{i}.yaml": dump([obj("ConfigMap", f"f{i}", data="x" * 5000)], "s.yaml") for i in range(30)}
    md = diff.markdown(tmp_path, diff.changes(tmp_path, big))
    assert len(md) < 65_536
    assert "more diffs left out" in md and md.count("| added |") == 30


def test_findings_name_each_object(tmp_path):
    found = diff.changes(tmp_path, {"apps/a.yaml": dump([obj("ConfigMap", "a"), obj("Secret", "b")], "s.yaml")})
    assert [(f.file, f.message) for f in diff.findings(tmp_path, found)] == [
        (f"{tmp_path}/apps/a.yaml", "added: ConfigMap apps/a (run 'opsgen synth')"),
        (f"{tmp_path}/apps/a.yaml", "added: Secret apps/b (run 'opsgen synth')"),
    ]


def test_the_unified_diff_applies(tmp_path):
    """The diff is what synth would do: applied to the old text it gives the new one."""
    old = dump([obj("ConfigMap", "a", a=1, b=2, c=3)], "s.yaml")
    new = dump([obj("ConfigMap", "a", a=1, b=5, c=3, d=4)], "s.yaml")
    write(tmp_path, {"a.yaml": old})
    [change] = diff.changes(tmp_path, {"a.yaml": new})
    assert _apply(old.decode(), change.diff) == new.decode()
    assert yaml.safe_load(_apply(old.decode(), change.diff))["spec"]["b"] == 5


def _apply(old: str, patch: str) -> str:
    """A minimal applier of one-file unified diffs (enough to prove the hunks are right)."""
    lines, out, i = old.splitlines(), [], 0
    for line in patch.splitlines()[2:]:
        if line.startswith("@@"):
            start = int(line.split()[1].split(",")[0][1:]) - 1
            out.extend(lines[i:start])
            i = start
        elif line.startswith("-"):
            i += 1
        elif line.startswith("+"):
            out.append(line[1:])
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out + lines[i:]) + "\n"
