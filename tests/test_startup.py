"""validate imports only what checking the catalogue needs (issue 13: start-up time):
not the output layer, not cdk8s, not prometheus_client without an exposition file to
read, not detect-secrets without a string that could be a credential."""

from __future__ import annotations

import sys

from tests.conftest import REPO
from tests.support.imports import imported_by

sys.path.insert(0, str(REPO / "bench"))
import catalogue as bench  # noqa: E402

NOT_FOR_VALIDATE = (
    "opsgen.output.write",
    "opsgen.output",
    "opsgen.generate",
    "cdk8s",
    "prometheus_client",
    "detect_secrets",
)


def test_validate_of_the_benchmark_catalogue_imports_none_of_them(tmp_path):
    path = tmp_path / "services.yaml"
    bench.write(str(path), 12, 1)
    code, err, imported = imported_by("validate", path, *NOT_FOR_VALIDATE)
    assert (code, imported) == (0, []), err


def test_an_exposition_file_is_still_read_with_prometheus_client(tmp_path):
    (tmp_path / "agent.prom").write_text("# TYPE agent_runs counter\nagent_runs_total 1\n", encoding="utf-8")
    path = tmp_path / "services.yaml"
    bench.write(str(path), 3, 1)
    text = path.read_text(encoding="utf-8").replace("port: http", "port: http\n    exposition: agent.prom", 1)
    path.write_text(text, encoding="utf-8")
    code, err, imported = imported_by("validate", path, "prometheus_client")
    assert (code, imported) == (0, ["prometheus_client"]), err
