"""Fuzz: hostile mutants of valid catalogues (tests/support/mutator.py) either fail
with located errors (CatalogueError, nothing else) or synthesize output whose every
object is valid (tests/support/manifests.py, strictly) and holds no credential.

The normal suite runs OPSGEN_FUZZ_COUNT=200 mutants (seed OPSGEN_FUZZ_SEED=14); a
big run: ``OPSGEN_FUZZ_COUNT=3000 .venv/bin/python -m pytest -q -s tests/test_fuzz.py``
(prints its counts). A failure names the mutant's index, to replay it alone with
OPSGEN_FUZZ_ONLY=<index>[,<index>...].
"""

from __future__ import annotations

import collections
import os
import traceback
from pathlib import Path

import pytest
import yaml

from opsgen import pipeline
from opsgen.errors import CatalogueError
from tests.conftest import VALID
from tests.support import manifests
from tests.support.mutator import Mutator

GOLDEN = Path(__file__).parent / "golden"
SEEDS = [VALID] + [p.read_text(encoding="utf-8") for p in sorted(GOLDEN.glob("*/services.yaml"))]
COUNT = int(os.environ.get("OPSGEN_FUZZ_COUNT", "200"))
SEED = int(os.environ.get("OPSGEN_FUZZ_SEED", "14"))
ONLY = os.environ.get("OPSGEN_FUZZ_ONLY")
LEAKS = ["q8Vz3Lk9Pw2Xr7Tn4Ym6Bc1H", "a3f9c2e7b41d08f6e5c3a9b7d2f1e0c4", "Zq7pW3xKm", "hooks.slack.com"]


def _run(text: str, workdir: Path) -> tuple[str, str]:
    """('error' | 'valid' | 'traceback' | 'invalid output', detail)."""
    path = workdir / "services.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        catalogue = pipeline.load_valid(str(path))
    except CatalogueError as exc:
        message = str(exc)
        leaked = [s for s in LEAKS if s in message]
        return ("leak", f"error message shows {leaked}") if leaked else ("error", "")
    except Exception:  # noqa: BLE001 - the property under test: nothing but CatalogueError
        return "traceback", traceback.format_exc()
    try:
        rendered = pipeline.synthesize(catalogue)
    except Exception:  # noqa: BLE001
        return "traceback", "synth: " + traceback.format_exc()
    return _check_output(rendered.files)


def _check_output(files: dict[str, bytes]) -> tuple[str, str]:
    for name, content in sorted(files.items()):
        text = content.decode("utf-8")
        leaked = [s for s in LEAKS if s in text]
        if leaked:
            return "leak", f"{name} holds {leaked}"
        for doc in yaml.safe_load_all(text):
            if doc is None:
                continue
            found = manifests.problems(doc)
            if found:
                return (
                    "invalid output",
                    f"{name} {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}: {found[:3]}",
                )
    return "valid", ""


def test_mutants_fail_cleanly_or_synthesize_valid_output(tmp_path, monkeypatch):
    monkeypatch.setenv("OPSGEN_WORKERS", "0")  # build in this process: one jsii kernel for all mutants
    directory, reason = manifests.crd_dir()
    if directory is None:
        pytest.skip(reason)
    mutator = Mutator(SEEDS, SEED)
    indexes = [int(i) for i in ONLY.split(",")] if ONLY else range(COUNT)
    outcomes: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    for index in indexes:
        mutant = mutator.mutant(index)
        outcome, detail = _run(mutant.text, tmp_path)
        outcomes[outcome] += 1
        if outcome not in ("error", "valid"):
            failures.append(f"mutant {index} ({', '.join(mutant.mutations)}): {outcome}: {detail}")
    print(
        f"\nfuzz: seed {SEED}, {sum(outcomes.values())} mutants: "
        + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
    )
    assert not failures, "\n\n".join(failures[:10]) + f"\n\n({len(failures)} failing mutants)"
    assert outcomes["valid"] and outcomes["error"]  # the mutator reaches both sides
