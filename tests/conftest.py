"""Shared fixtures. Custom resources are validated against the CRDs in
``$OPSGEN_CRD_DIR`` (CI: ../shared/crds); without it those checks skip, visibly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CDK8S_CHECK_UPGRADE", "false")

from opsgen.synth import engine  # noqa: E402

engine.start()  # the test process builds in-process, with the runtime opsgen itself chooses

REPO = Path(__file__).resolve().parent.parent
# The bundled example catalogue: a fixture of the tests' own. The repository's services.yaml
# is the platform team's data, and only tests marked ``repo_catalogue`` read it (they check
# that dist/ and the stack agree with it, whatever it holds: tests/test_repository.py).
BUNDLED = REPO / "tests" / "golden" / "bundled" / "services.yaml"

# A small catalogue that uses every generator of the foundation; tests edit copies of it.
VALID = """\
platform:
  name: demo
  kafka:
    bootstrapServers: kafka.kafka.svc:9092
services:
  - name: worker
    namespace: apps
    team: core
    metrics: {port: http}
    scaling:
      maxReplicas: 4
      kafka: {topic: jobs, lagThreshold: 10}
  - name: api
    namespace: apps
    team: core
    metrics: {port: http, monitor: pod}
    scaling:
      minReplicas: 2
      maxReplicas: 6
      cpu: {targetUtilization: 60}
"""


@pytest.fixture
def write_catalogue(tmp_path):
    """Write catalogue text to tmp_path/services.yaml and return its path."""

    def write(text: str, name: str = "services.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run(capsys):
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    from opsgen.cli import main

    def invoke(*argv: str) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """opsgen's wheel installed into a fresh venv (tests/support/install.py): the venv."""
    from tests.support import install

    work = tmp_path_factory.mktemp("installed")
    return install.fresh_venv(work / "venv", str(install.build_wheel(work)))
