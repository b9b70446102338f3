"""The generated header: a catalogue file name is never written raw into it."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from opsgen import conventions
from opsgen.output import write
from opsgen.output.render import dump, header
from tests.conftest import VALID

INJECTED = "services.yaml\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\n---\n#"


def test_a_name_with_line_breaks_cannot_inject_documents() -> None:
    text = dump([{"kind": "ConfigMap"}], "/some/where/" + INJECTED).decode("utf-8")
    assert text.splitlines()[:2] == [
        conventions.HEADER,
        r"# source: services.yaml\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\n---\n#",
    ]
    assert list(yaml.safe_load_all(text)) == [{"kind": "ConfigMap"}]


@given(st.text())
def test_the_header_is_two_comment_lines_whatever_the_name(name: str) -> None:
    text = header(name.replace("/", "_")) + "a: 1\n"
    assert len(text.splitlines()) == 3  # str.splitlines splits on every kind of line break
    assert text.encode("utf-8").decode("utf-8") == text  # no lone surrogates (undecodable file names)
    assert list(yaml.safe_load_all(text)) == [{"a": 1}]


def test_undecodable_and_backslashed_names_are_escaped() -> None:
    assert header("a\udcffb\\n.yaml").splitlines()[1] == r"# source: a\udcffb\\n.yaml"


def test_synth_of_a_catalogue_whose_name_holds_a_secret_document(tmp_path: Path, run) -> None:
    catalogue = tmp_path / INJECTED.replace("/", "_")
    catalogue.write_text(VALID, encoding="utf-8")
    code, _, err = run("synth", "-c", catalogue, "-o", tmp_path / "dist")
    assert code == 0, err
    for rel in write.existing_files(tmp_path / "dist"):
        documents = list(yaml.safe_load_all((tmp_path / "dist" / rel).read_text(encoding="utf-8")))
        assert "Secret" not in {d["kind"] for d in documents}, rel


def test_a_service_written_in_an_included_file_names_that_file(tmp_path):
    from opsgen import pipeline
    from opsgen.output.render import sources
    from tests.conftest import VALID

    header, services = VALID.split("services:\n", 1)
    (tmp_path / "teams").mkdir()
    (tmp_path / "services.yaml").write_text(header + "include: [teams/*.yaml]\n", encoding="utf-8")
    (tmp_path / "teams" / "core.yaml").write_text("services:\n" + services, encoding="utf-8")
    named = sources(pipeline.load_valid(str(tmp_path / "services.yaml")))
    assert named.of("apps/worker.yaml") == str(tmp_path / "teams" / "core.yaml")
    assert named.of("apps/_namespace.yaml") == str(tmp_path / "services.yaml")
    assert (
        header_line(dump([{"kind": "ConfigMap"}], named.of("apps/worker.yaml"), str(tmp_path)))
        == "# source: teams/core.yaml"
    )


def header_line(text: bytes) -> str:
    return text.decode("utf-8").splitlines()[1]
