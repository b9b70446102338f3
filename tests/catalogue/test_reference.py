"""docs/catalogue.md is the field reference generated from the schema, and current."""

from __future__ import annotations

from opsgen import pipeline
from opsgen.catalogue import reference, schema
from tests.conftest import REPO

DOC = REPO / "docs" / "catalogue.md"


def test_the_committed_reference_is_current(run):
    code, stdout, _ = run("schema", "--markdown")
    assert code == 0 and stdout == reference.markdown()
    assert DOC.read_text(encoding="utf-8") == stdout, (
        f"docs/catalogue.md is stale: run `{reference.COMMAND}` and commit it"
    )


def test_a_schema_change_makes_the_committed_reference_stale(monkeypatch):
    platform = schema.CATALOGUE["properties"]["platform"]["properties"]
    monkeypatch.setitem(platform, "owner", {"type": "string", "description": "Who to ask."})
    assert "| `owner` | string |  | Who to ask. |" in reference.markdown()
    assert DOC.read_text(encoding="utf-8") != reference.markdown()


def _keys(node: dict, prefix: str = ""):
    for key, field in node.get("properties", {}).items():
        yield prefix + key
        if field.get("type") == "object" and "properties" in field:
            yield from _keys(field, prefix + key + ".")


def test_every_field_of_the_schema_is_in_the_reference():
    text = reference.markdown()
    root = schema.catalogue_schema()
    for key in root["properties"]:  # the top level; each section below has its own table
        assert f"| `{key}` |" in text, key
    nodes = [root["properties"]["platform"], root["properties"]["services"]["items"], *root["definitions"].values()]
    for node in nodes:
        for key in _keys(node):
            assert f"| `{key}` |" in text, key


def test_the_minimal_example_at_the_top_is_a_valid_catalogue(tmp_path):
    head = reference.markdown().split("\n## ", 1)[0]
    assert reference.EXAMPLE in head
    path = tmp_path / "services.yaml"
    path.write_text(reference.EXAMPLE, encoding="utf-8")
    (env,) = pipeline.load_valid(str(path)).environments
    assert [s.name for s in env.services] == ["checkout"]


def test_the_readme_links_the_reference():
    assert "(docs/catalogue.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_starts_with_a_valid_minimal_catalogue(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    first_section = readme.split("\n## ", 2)[1]
    assert first_section.startswith("A minimal catalogue")
    path = tmp_path / "services.yaml"
    path.write_text(first_section.split("```yaml\n", 1)[1].split("```", 1)[0], encoding="utf-8")
    assert [s.name for s in pipeline.load_valid(str(path)).environments[0].services] == ["checkout"]


def test_the_include_example_is_a_valid_split_catalogue(tmp_path):
    for name, text in reference.INCLUDED_EXAMPLE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    (env,) = pipeline.load_valid(str(tmp_path / "services.yaml")).environments
    assert [s.name for s in env.services] == ["checkout"]
