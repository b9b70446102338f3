"""opsgen show SERVICE [--env ENV]: one service's objects as one YAML stream."""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import VALID
from tests.support.manifests import assert_tree_valid

ENVS = VALID.replace("services:\n", "environments:\n  dev: {maxSeverity: warn}\n  prod:\nservices:\n", 1)


@pytest.fixture
def catalogue(write_catalogue):
    return write_catalogue(ENVS)


def documents(stream: str) -> list:
    return list(yaml.safe_load_all(stream))


def test_show_prints_the_namespace_then_the_services_objects(catalogue, run):
    code, stdout, err = run("show", "worker", "--env", "prod", "-c", catalogue)
    assert code == 0 and err == ""
    docs = documents(stdout)
    assert None not in docs  # no empty document: `---` only between documents
    assert [d["kind"] for d in docs] == ["Namespace", "ServiceMonitor", "ScaledObject", "PrometheusRule"]
    assert all(d["metadata"].get("namespace") == "apps" for d in docs[1:])
    assert {d["metadata"]["labels"]["app.kubernetes.io/name"] for d in docs[1:]} == {"worker"}


def test_show_is_what_synth_writes(catalogue, run, tmp_path):
    out = tmp_path / "dist"
    assert run("synth", "-c", catalogue, "-o", out)[0] == 0
    _, stdout, _ = run("show", "api", "--env", "dev", "-c", catalogue)
    files = [out / "dev" / "apps" / "_namespace.yaml", out / "dev" / "apps" / "api.yaml"]
    assert stdout == "---\n".join(f.read_text(encoding="utf-8") for f in files)


def test_every_object_shown_is_a_valid_kubernetes_object(catalogue, run, tmp_path):
    _, stdout, _ = run("show", "worker", "--env", "prod", "-c", catalogue)
    (tmp_path / "shown").mkdir()
    (tmp_path / "shown" / "stream.yaml").write_text(stdout, encoding="utf-8")
    assert assert_tree_valid(tmp_path / "shown") == 4


def test_a_catalogue_without_environments_needs_no_env(write_catalogue, run):
    code, stdout, _ = run("show", "api", "-c", write_catalogue(VALID))
    assert code == 0 and [d["kind"] for d in documents(stdout)] == [
        "Namespace",
        "PodMonitor",
        "HorizontalPodAutoscaler",
        "PrometheusRule",
    ]
    code, _, err = run("show", "api", "--env", "prod", "-c", write_catalogue(VALID))
    assert code == 2 and "has no environments; leave out --env" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["workr", "--env", "prod"], "no service 'workr' in environment 'prod' in {cat}; did you mean 'worker'?"),
        (["worker", "--env", "prd"], "no environment 'prd' in {cat} (it has dev, prod); did you mean 'prod'?"),
        (["worker"], "{cat} has environments dev, prod; choose one with --env"),
    ],
)
def test_unknown_names_are_errors_with_did_you_mean(catalogue, run, argv, message):
    code, stdout, err = run("show", *argv, "-c", catalogue)
    assert code == 2 and stdout == ""
    assert err == f"opsgen: error: {message.format(cat=catalogue)}\n"


def test_a_bad_catalogue_is_reported_as_for_synth(write_catalogue, run):
    catalogue = write_catalogue(VALID.replace("maxReplicas: 4", "maxReplicas: 0"))
    code, stdout, err = run("show", "worker", "-c", catalogue)
    assert code == 3 and stdout == ""
    assert err.splitlines()[-1] == f"opsgen: 1 problem in {catalogue}"
