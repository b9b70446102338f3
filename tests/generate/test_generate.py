"""generate: the catalogue's objects synthesized a batch of whole files at a
time; any batch size renders the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opsgen import pipeline
from opsgen.generate.generate import generate
from opsgen.output.render import render, sources

BUNDLED = Path(__file__).resolve().parents[1] / "golden" / "bundled" / "services.yaml"


@pytest.fixture(scope="module")
def catalogue():
    return pipeline.load_valid(str(BUNDLED))


def test_every_batch_holds_whole_files_of_one_environment(catalogue) -> None:
    batches = list(generate(catalogue, batch_chars=1))  # a batch closes after every file
    for batch in batches:
        documents = json.loads(batch.json)
        assert len(documents) == len(batch.identities) == sum(count for _, count in batch.files)
        assert len(batch.files) <= 1
    envs = [b.env for b in batches]
    assert list(dict.fromkeys(envs)) == [e.name or "" for e in catalogue.environments]
    assert envs == sorted(envs, key=list(dict.fromkeys(envs)).index)  # an environment's batches come together


def test_any_batch_size_renders_the_same_bytes(catalogue) -> None:
    whole = render(generate(catalogue, batch_chars=1 << 40), sources(catalogue))  # one batch per environment
    assert render(generate(catalogue, batch_chars=1), sources(catalogue)) == whole
    assert render(generate(catalogue), sources(catalogue)) == whole
