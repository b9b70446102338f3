"""opsgen.catalogue.load: YAML text -> data, refusing what is unsafe, with file:line:col."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from opsgen.catalogue import load
from opsgen.errors import CatalogueError


def problems(text: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load.load_text(text, "services.yaml")
    return [str(p) for p in caught.value.problems]


def test_plain_document_and_locations():
    doc = load.load_text("platform:\n  name: demo\nservices:\n  - name: a\n    team: t\n", "services.yaml")
    assert doc.data == {"platform": {"name": "demo"}, "services": [{"name": "a", "team": "t"}]}
    assert str(doc.locate(("services", 0, "team"))) == "services.yaml:5:5"
    assert str(doc.locate(("services", 0, "team"), value=True)) == "services.yaml:5:11"
    # a missing path resolves to its deepest existing parent
    assert str(doc.locate(("services", 0, "scaling", "maxReplicas"))) == "services.yaml:4:5"
    assert str(doc.locate(("services", 7))) == "services.yaml:3:1"


def test_scalars_follow_yaml_core_types():
    doc = load.load_text("a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: 2024-01-01\ng: 0x10\n", "f.yaml")
    assert doc.data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "1", "f": "2024-01-01", "g": 16}


def test_syntax_error():
    assert problems("platform:\n  name: demo\n services: [\n") == [
        "services.yaml:3:2: YAML syntax error: did not find expected key (while parsing a block mapping at line 1)"
    ]


def test_unclosed_flow_mapping():
    assert problems("platform: {name: demo\nservices: []\n") == [
        "services.yaml:2:9: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 1)"
    ]


def test_tab_indentation():
    (only,) = problems("platform:\n\tname: demo\n")
    assert only.startswith("services.yaml:2:1: YAML syntax error: ")


def test_duplicate_keys_are_errors():
    text = "platform:\n  name: demo\n  name: other\nservices:\n  - name: a\n    name: b\n"
    assert problems(text) == [
        "services.yaml:3:3: duplicate key 'name' (first defined at line 2); remove one of them",
        "services.yaml:6:5: duplicate key 'name' (first defined at line 5); remove one of them",
    ]


def test_duplicate_keys_in_flow_mapping():
    assert problems("platform: {name: a, name: b}\n") == [
        "services.yaml:1:21: duplicate key 'name' (first defined at line 1); remove one of them"
    ]


def test_python_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    text = f'platform: !!python/object/apply:os.system ["touch {marker}"]\nservices: []\n'
    assert problems(text) == [
        "services.yaml:1:11: the tag '!!python/object/apply:os.system' is not allowed: "
        "a catalogue holds plain mappings, lists, strings, numbers and booleans"
    ]
    assert not marker.exists()


@pytest.mark.parametrize(
    "text, tag",
    [
        ("a: !!python/name:os.system\n", "!!python/name:os.system"),
        ("a: !Ref foo\n", "!Ref"),
        ("a: !!binary aGVsbG8=\n", "!!binary"),
        ("a: !!set {x, y}\n", "!!set"),
        ("a: !!omap [{x: 1}]\n", "!!omap"),
    ],
)
def test_other_foreign_tags_are_refused(text, tag):
    (only,) = problems(text)
    assert only.startswith(f"services.yaml:1:4: the tag '{tag}' is not allowed")


def test_core_tags_are_allowed():
    assert load.load_text("a: !!str 1\nb: !!int '2'\n", "f.yaml").data == {"a": "1", "b": 2}


def test_anchors_aliases_and_merge_keys():
    text = "base: &base {team: core, role: agent}\nsvc:\n  <<: *base\n  role: runner\nlist: [*base]\n"
    data = load.load_text(text, "f.yaml").data
    assert data["svc"] == {"role": "runner", "team": "core"}
    assert data["list"] == [{"team": "core", "role": "agent"}]


BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")),
    ]
)


def test_alias_bomb_is_refused_quickly_with_bounded_memory():
    tracemalloc.start()
    start = time.perf_counter()
    try:
        found = problems(BOMB)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found == [
        "services.yaml:1:1: the document expands to more than 2,000,000 nodes through aliases "
        "(an alias bomb?); write the repeated parts out or use fewer nested aliases"
    ]
    assert elapsed < 2.0, f"took {elapsed:.2f}s"
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_recursive_alias_is_refused():
    assert problems("a: &a [*a]\n") == [
        "services.yaml:1:1: an alias refers to a node that contains it (a recursive alias); remove the cycle"
    ]


@pytest.mark.parametrize("depth", [64, 1_000, 100_000])  # + the top-level mapping
def test_deep_nesting_is_refused_without_crashing(depth):
    """libyaml's composer recursed into a SIGSEGV at ~30,000 levels and the
    builder into RecursionError at ~500: both are refused up front now."""
    start = time.perf_counter()
    found = problems("platform: " + "[" * depth + "]" * depth + "\n")
    assert found == ["services.yaml:1:74: the document is nested more than 64 levels deep"]
    assert time.perf_counter() - start < 2.0


def test_deep_nesting_through_aliases_is_refused():
    lines = ["a0: &a0 " + "[" * 10 + "1" + "]" * 10]
    lines += [f"a{i}: &a{i} " + "[" * 10 + f"*a{i - 1}" + "]" * 10 for i in range(1, 8)]
    (only,) = problems("\n".join(lines) + "\n")
    assert only.endswith("the document is nested more than 64 levels deep")


def test_nesting_up_to_the_limit_is_fine():
    doc = load.load_text("a: " + "[" * 63 + "]" * 63 + "\n", "f.yaml")
    assert isinstance(doc.data["a"], list)


def test_empty_file():
    assert problems("") == ["services.yaml:1:1: the catalogue is empty: it needs at least 'platform' and 'services'"]
    assert problems("# only a comment\n\n") == [
        "services.yaml:1:1: the catalogue is empty: it needs at least 'platform' and 'services'"
    ]


def test_several_documents():
    (only,) = problems("a: 1\n---\nb: 2\n")
    assert only.startswith("services.yaml:2:1: YAML syntax error: ")


def test_unreadable_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(CatalogueError) as caught:
        load.load_file(str(missing))
    assert [str(p) for p in caught.value.problems] == [
        f"{missing}:1:1: cannot read the catalogue: No such file or directory"
    ]


def test_invalid_utf8(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"platform:\n  name: \xff\xfe\n")
    with pytest.raises(CatalogueError) as caught:
        load.load_file(str(path))
    (only,) = caught.value.problems
    assert str(only).startswith(f"{path}:1:1: cannot read the catalogue: ")


def test_control_characters():
    assert problems("a: ok\nb: x\x07bell\n") == [
        "services.yaml:2:5: cannot read YAML: unacceptable character #x07: control characters are not allowed"
    ]
    (only,) = problems("\x1fplatform: {}\n")
    assert only.startswith("services.yaml:1:1: cannot read YAML: unacceptable character") and "\n" not in only


def test_a_catalogue_that_never_ends_is_refused_at_the_cap(tmp_path, monkeypatch):
    """/dev/zero (or a FIFO that never closes its data) cannot exhaust memory: the read stops at the cap."""
    monkeypatch.setattr(load, "MAX_BYTES", 1024)
    with pytest.raises(CatalogueError) as caught:
        load.load_file("/dev/zero")
    assert [p.message for p in caught.value.problems] == [
        "the catalogue is larger than 1,024 bytes; split it into files with include:"
    ]


def test_a_catalogue_that_is_not_utf8_is_located_without_its_bytes(tmp_path):
    path = tmp_path / "services.yaml"
    path.write_bytes(b"platform: {name: \xff\xfesecret}\n")
    with pytest.raises(CatalogueError) as caught:
        load.load_file(str(path))
    assert [p.message for p in caught.value.problems] == ["cannot read the catalogue: not UTF-8 text"]
