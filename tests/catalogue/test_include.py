"""include: [teams/*.yaml] — one catalogue split into files, with every error
located in the file it is in and the output of the catalogue written in one file."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from opsgen import pipeline
from opsgen.catalogue import schema
from opsgen.cli import main
from opsgen.errors import CatalogueError
from tests.conftest import BUNDLED, REPO

PLATFORM = "platform: {name: demo, kafka: {bootstrapServers: 'kafka.kafka.svc:9092'}}\n"
WORKER = "  - {name: worker, namespace: apps, team: core, metrics: {port: http}}\n"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root / "services.yaml"


def problems(catalogue: Path) -> list[str]:
    """Every problem, with paths shown relative to the catalogue's folder."""
    with pytest.raises(CatalogueError) as caught:
        pipeline.load_valid(str(catalogue))
    return [str(p).replace(str(catalogue.parent) + os.sep, "") for p in caught.value.problems]


# --- the same output ----------------------------------------------------------------


def split(data: dict) -> dict[str, str]:
    """The bundled catalogue as services.yaml plus two team files (sorted by name,
    in catalogue order) that hold the later services and the platform alerts."""
    services, alerts = data["services"], data.pop("alerts")
    data["services"], data["include"] = services[:2], ["teams/*.yaml"]
    return {
        "services.yaml": yaml.safe_dump(data, sort_keys=False),
        "teams/a-ci.yaml": yaml.safe_dump({"services": services[2:4]}, sort_keys=False),
        "teams/b-knowledge.yaml": yaml.safe_dump({"services": services[4:], "alerts": alerts}, sort_keys=False),
    }


def test_a_split_catalogue_writes_the_bytes_of_the_one_file(tmp_path):
    whole = write(tmp_path / "whole", {"services.yaml": BUNDLED.read_text(encoding="utf-8")})
    parts = write(tmp_path / "parts", split(yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))))
    for folder in ("whole", "parts"):  # the exposition files the bundled catalogue names
        shutil.copytree(BUNDLED.parent / "metrics", tmp_path / folder / "metrics")
    assert main(["synth", "-c", str(whole), "-o", str(tmp_path / "whole-out")]) == 0
    assert main(["synth", "-c", str(parts), "-o", str(tmp_path / "parts-out")]) == 0
    parts_out, whole_out = tree(tmp_path / "parts-out"), tree(tmp_path / "whole-out")
    assert list(parts_out) == list(whole_out) != []
    sources = {}
    for path, body in parts_out.items():  # the same bytes but the header's source line:
        head, _, rest = body.partition(b"\n# source: ")
        shown, _, tail = rest.partition(b"\n")
        assert whole_out[path] == head + b"\n# source: services.yaml\n" + tail, path
        sources[path] = shown.decode()
    assert {shown for shown in sources.values()} > {"services.yaml"}  # a service's files name its team's file
    assert all(shown == "services.yaml" or shown.startswith("teams/") for shown in sources.values())


def test_files_are_read_in_sorted_order_once_each(tmp_path):
    catalogue = write(
        tmp_path,
        {
            "services.yaml": PLATFORM + "include: [teams/*.yaml, teams/b.yaml]\nservices:\n" + WORKER,
            "teams/b.yaml": "services:\n  - {name: b, namespace: apps, team: core}\n",
            "teams/a.yaml": "services:\n  - {name: a, namespace: apps, team: core}\n",
        },
    )
    built = pipeline.load_valid(str(catalogue))
    assert [s.name for s in built.environments[0].services] == ["worker", "a", "b"]


def test_a_catalogue_may_keep_all_its_services_in_included_files(tmp_path):
    catalogue = write(
        tmp_path, {"services.yaml": PLATFORM + "include: [teams/*.yaml]\n", "teams/core.yaml": "services:\n" + WORKER}
    )
    assert [s.name for s in pipeline.load_valid(str(catalogue)).environments[0].services] == ["worker"]
    (tmp_path / "teams/core.yaml").write_text("alerts: []\n", encoding="utf-8")
    assert problems(catalogue) == [
        "services.yaml:2:1: the catalogue has no services: neither it nor the files it includes list any"
    ]


# --- every error in the file it is in ------------------------------------------------------


def test_errors_are_located_in_the_included_file(tmp_path):
    catalogue = write(
        tmp_path,
        {
            "services.yaml": PLATFORM + "include: [teams/*.yaml]\nservices:\n" + WORKER,
            "teams/ci.yaml": (
                "services:\n"
                "  - name: runner\n"
                "    namespace: ci\n"
                "    team: ci\n"
                "    scalling: {}\n"
                "  - name: builder\n"
                "    namespace: ci\n"
                "    team: ci\n"
                "    scaling: {maxReplicas: 0, cpu: {targetUtilization: 50}}\n"
                "  - {name: worker, namespace: apps, team: core}\n"
                "alerts:\n"
                "  - {name: Down, expr: 'up == 0', severity: paeg, summary: s}\n"
            ),
        },
    )
    assert problems(catalogue) == [
        "teams/ci.yaml:5:5: unknown key 'scalling' in services[0] (runner); did you mean 'scaling'?",
        "teams/ci.yaml:9:15: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)",
        "teams/ci.yaml:10:6: service 'worker' is defined twice in namespace 'apps' (first at services.yaml:4); names are unique per namespace",
        "teams/ci.yaml:12:35: alerts[0].severity must be one of page, warn, info (got 'paeg')",
    ]


def test_errors_of_the_catalogue_and_of_its_included_files_come_together(tmp_path, run):
    catalogue = write(
        tmp_path,
        {
            "services.yaml": PLATFORM + "include: [teams/*.yaml]\nservices:\n  - {name: worker, namespace: apps}\n",
            "teams/bad.yaml": "services:\n  - {name: x, namespace: apps, team: core\n",
            "teams/wrong.yaml": "platform: {name: other}\nservices: {name: y}\ninclude: [more/*.yaml]\n",
        },
    )
    (tmp_path / "dist").mkdir()
    code, _, err = run("synth", "-c", catalogue, "-o", tmp_path / "dist")
    shown = [line.replace(str(tmp_path) + os.sep, "") for line in err.splitlines()]
    assert code == 3 and list((tmp_path / "dist").iterdir()) == []
    assert shown == [
        "services.yaml:4:5: services[0] (worker) is missing the required key 'team'",
        "teams/bad.yaml:3:1: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 2)",
        "teams/wrong.yaml:1:1: unknown key 'platform' in an included file, which holds only services and alerts; "
        "the rest of the catalogue stays in services.yaml",
        "teams/wrong.yaml:2:11: services must be a list (of entries as in services.yaml)",
        "teams/wrong.yaml:3:1: unknown key 'include' in an included file, which holds only services and alerts; "
        "the rest of the catalogue stays in services.yaml",
        "opsgen: 5 problems in services.yaml (1), teams/bad.yaml (1), teams/wrong.yaml (3); nothing written",
    ]


def test_a_pattern_that_matches_nothing_is_located_at_the_pattern(tmp_path):
    catalogue = write(tmp_path, {"services.yaml": PLATFORM + "include:\n  - teams/*.yaml\nservices:\n" + WORKER})
    assert problems(catalogue) == [
        f"services.yaml:3:5: include: 'teams/*.yaml' matches no file in the catalogue's folder ({tmp_path})"
    ]


def test_malformed_includes_are_schema_errors(tmp_path):
    catalogue = write(tmp_path, {"services.yaml": PLATFORM + "include: [3, '']\nservices:\n" + WORKER})
    assert problems(catalogue) == [
        "services.yaml:2:11: include[0] must be a string, not an integer (3)",
        "services.yaml:2:14: include[1] must not be empty",
    ]


def test_empty_and_odd_included_files(tmp_path):
    catalogue = write(
        tmp_path,
        {
            "services.yaml": PLATFORM + "include: [teams/*.yaml]\nservices:\n" + WORKER,
            "teams/a.yaml": "# nothing yet\n",
            "teams/b.yaml": "- name: x\n",
            "teams/c.yaml": "Services: []\n",
        },
    )
    assert problems(catalogue) == [
        "teams/a.yaml:1:1: the included file is empty: it holds 'services:' and/or 'alerts:' (lists, as in services.yaml)",
        "teams/b.yaml:1:1: an included file is a mapping that holds 'services:' and/or 'alerts:' (lists, as in services.yaml)",
        "teams/c.yaml:1:1: unknown key 'Services' in an included file, which holds only services and alerts; did you mean 'services'?",
    ]


# --- never outside the catalogue's folder ---------------------------------------------------


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("../teams/*.yaml", "leads outside the catalogue's folder ('..'); included files live in it or below it"),
        ("teams/../../x.yaml", "leads outside the catalogue's folder ('..'); included files live in it or below it"),
        ("/etc/*.yaml", "is an absolute path; write it relative to the catalogue's folder"),
    ],
)
def test_patterns_may_not_leave_the_folder(tmp_path, pattern, message):
    catalogue = write(tmp_path / "repo", {"services.yaml": PLATFORM + f"include: ['{pattern}']\nservices:\n" + WORKER})
    write(tmp_path, {"teams/x.yaml": "services: []\n", "x.yaml": "services: []\n"})
    assert problems(catalogue) == [f"services.yaml:2:11: include: {pattern!r} {message}"]


def test_symbolic_links_may_not_lead_outside(tmp_path):
    outside = write(tmp_path / "outside", {"secret.yaml": "services: []\n", "t/other.yaml": "services: []\n"}).parent
    catalogue = write(
        tmp_path / "repo", {"services.yaml": PLATFORM + "include: [teams/*.yaml, linked/*.yaml]\nservices:\n" + WORKER}
    )
    (tmp_path / "repo" / "teams").mkdir()
    (tmp_path / "repo" / "teams" / "evil.yaml").symlink_to(outside / "secret.yaml")
    (tmp_path / "repo" / "linked").symlink_to(outside / "t")
    reason = "which leads outside the catalogue's folder (a symbolic link); included files live in it or below it"
    assert problems(catalogue) == [
        f"services.yaml:2:11: include: 'teams/*.yaml' matches teams/evil.yaml, {reason}",
        f"services.yaml:2:25: include: 'linked/*.yaml' matches linked/other.yaml, {reason}",
    ]


def test_a_symbolic_link_inside_the_folder_is_followed(tmp_path):
    catalogue = write(
        tmp_path,
        {
            "services.yaml": PLATFORM + "include: [teams/*.yaml]\nservices:\n" + WORKER,
            "shared/b.yaml": "services: []\n",
        },
    )
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "b.yaml").symlink_to(tmp_path / "shared" / "b.yaml")
    assert [s.name for s in pipeline.load_valid(str(catalogue)).environments[0].services] == ["worker"]


def test_the_catalogue_does_not_include_itself_or_folders(tmp_path):
    catalogue = write(tmp_path, {"services.yaml": PLATFORM + "include: ['*']\nservices:\n" + WORKER})
    (tmp_path / "teams").mkdir()
    assert problems(catalogue) == [
        "services.yaml:2:11: include: '*' matches services.yaml, which is the catalogue itself",
        "services.yaml:2:11: include: '*' matches teams, which is not a regular file",
    ]


# --- the schema of an included file -----------------------------------------------------------


def test_the_included_files_schema_is_committed_and_current(run):
    code, stdout, _ = run("schema", "--include")
    assert code == 0 and stdout == schema.included_schema_json()
    committed = REPO / "services.include.schema.json"
    assert committed.read_text(encoding="utf-8") == stdout, "services.include.schema.json is stale: make docs"
    validator = jsonschema.Draft7Validator(json.loads(stdout))
    validator.validate(yaml.safe_load("services:\n" + WORKER + "alerts: []\n"))
    assert [e.message for e in validator.iter_errors({"platform": {"name": "x"}})] == [
        "Additional properties are not allowed ('platform' was unexpected)"
    ]


def test_the_catalogue_schema_allows_include_instead_of_services():
    validator = jsonschema.Draft7Validator(schema.catalogue_schema())
    assert list(validator.iter_errors({"platform": {"name": "x"}, "include": ["teams/*.yaml"]})) == []
    assert [e.message for e in validator.iter_errors({"platform": {"name": "x"}})] == [
        "'services' is a required property"
    ]
