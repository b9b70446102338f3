"""Dashboards in the synthesized output: one ConfigMap per dashboard, per environment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from opsgen import conventions as conv
from opsgen.generate.dashboards import MODULES, build
from opsgen.generate.dashboards.defaults import Scope
from opsgen.generate.kinds.dashboard_config_map import MAX_BYTES
from opsgen.pipeline import load_valid, synthesize

HERE = Path(__file__).resolve().parent
REPO_CATALOGUE = HERE.parents[1] / "golden" / "bundled" / "services.yaml"  # the tests' own copy
CATALOGUES = (HERE / "catalogue.yaml", REPO_CATALOGUE)


def documents(data: bytes) -> list[dict]:
    return [d for d in yaml.safe_load_all(data) if d]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_one_configmap_per_dashboard_in_every_environment(path):
    catalogue = load_valid(str(path))
    rendered = synthesize(catalogue)
    platform = catalogue.platform
    for env in catalogue.environments:
        for board in build(Scope(platform, env.services, catalogue.pipeline_topics)):
            name = conv.dashboard_configmap_name(board.uid)
            data = rendered.files[str(Path(conv.env_dir(env.name)) / conv.dashboard_file(platform, board.uid))]
            (doc,) = documents(data)
            assert len(data) < MAX_BYTES
            assert (doc["kind"], doc["metadata"]["name"], doc["metadata"]["namespace"]) == (
                "ConfigMap",
                name,
                platform.namespace,
            )
            assert doc["metadata"]["labels"] == {
                **conv.platform_labels(platform, conv.DASHBOARD_COMPONENT),
                "grafana_dashboard": "1",
            }
            assert doc["metadata"]["annotations"] == {"grafana_folder": platform.grafana_folder}
            assert doc["data"] == {f"{board.uid}.json": board.json}


def test_repo_catalogue_has_every_dashboard_everywhere():
    catalogue = load_valid(str(REPO_CATALOGUE))
    rendered = synthesize(catalogue)
    for env in catalogue.environments:
        found = [p for p in rendered.files if p.startswith(f"{env.name}/monitoring/_dashboard-")]
        assert len(found) == len(MODULES), found


def test_dashboards_without_a_subject_are_left_out(write_catalogue):
    path = write_catalogue(
        "platform: {name: tiny}\n"
        "services:\n"
        "  - {name: api, namespace: web, team: web, metrics: {port: http},"
        " scaling: {minReplicas: 1, maxReplicas: 3, cpu: {targetUtilization: 50}}}\n"
    )
    catalogue = load_valid(str(path))
    (env,) = catalogue.environments
    uids = [b.uid for b in build(Scope(catalogue.platform, env.services, catalogue.pipeline_topics))]
    assert uids == ["tiny-agent-latency", "tiny-autoscale-status", "tiny-cost-summary"]
    files = sorted(p for p in synthesize(catalogue).files if "_dashboard-" in p)
    assert files == [f"monitoring/_dashboard-{uid}.yaml" for uid in sorted(uids)]
    board = json.loads(build(Scope(catalogue.platform, env.services))[1].json)
    keda = ["KEDA errors", "KEDA ScaledObject paused", "KEDA scaler active", "KEDA scaler metric values"]
    assert [p["title"] for p in board["panels"]] == [
        "Replicas against bounds",
        "Replicas against max",
        *keda,
    ]  # as with Kafka scaling
