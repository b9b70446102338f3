"""Dashboards stay small whatever the number of services and pipeline topics.

A ConfigMap holds at most 1 MiB, and Grafana cannot show a thousand panels
anyway: no dashboard has a panel or a query per service or per topic (they join
against the series opsgen records per service, see alerting.catalogue_rules, and
the pipeline's recorded stage order, alerting.pipeline_rules), and the namespace and
service variables query the recorded services. Built from the benchmark's catalogue
generator (bench/catalogue.py).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from opsgen.cli import main
from opsgen.generate.dashboards import MODULES, build
from opsgen.generate.dashboards.defaults import Scope
from opsgen.generate.kinds.dashboard_config_map import MAX_BYTES
from opsgen.pipeline import load_valid

REPO = Path(__file__).resolve().parents[3]
LIMIT = 128 * 1024
SMALL, LARGE = 10, 1000
GROWTH = 3  # a dashboard for LARGE services is at most this many times its size for SMALL
VARIABLE_BYTES_PER_SERVICE = 16  # a name and a comma in the service variable, with room


def _bench():
    spec = importlib.util.spec_from_file_location("bench_catalogue", REPO / "bench" / "catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def boards(tmp_path_factory) -> dict[int, dict[str, str]]:
    """Dashboard JSON by title, for SMALL and LARGE services (each with its own topics)."""
    bench, tmp = _bench(), tmp_path_factory.mktemp("size")
    out = {}
    for count in (SMALL, LARGE):
        path = tmp / f"c{count}.yaml"
        bench.write(str(path), count, 1)
        catalogue = load_valid(str(path))
        (env,) = catalogue.environments
        out[count] = {
            b.title: b.json for b in build(Scope(catalogue.platform, env.services, catalogue.pipeline_topics))
        }
    return out


def test_every_dashboard_is_built_at_both_sizes(boards):
    assert list(boards[SMALL]) == list(boards[LARGE]) and len(boards[LARGE]) == len(MODULES)


def test_large_catalogue_dashboards_are_small(boards):
    sizes = {title: len(text.encode()) for title, text in boards[LARGE].items()}
    assert all(size < LIMIT for size in sizes.values()), sizes
    assert LIMIT < MAX_BYTES


def test_size_barely_depends_on_the_number_of_services(boards):
    for title, small in boards[SMALL].items():
        large = boards[LARGE][title]
        assert len(large) <= GROWTH * len(small), (title, len(small), len(large))
        assert len(large) - len(small) <= VARIABLE_BYTES_PER_SERVICE * (LARGE - SMALL), title


def test_nothing_lists_services(boards):
    """Not even the variables (they query the recorded opsgen:service_info): a dashboard
    for LARGE services is byte-equal to the one for SMALL."""
    assert boards[LARGE] == boards[SMALL]


def _topic(i: int) -> str:
    return f"orders.pipeline.stage-{i:04d}.events"  # long enough for 1 MiB with a query per topic


def _funnel(topics: tuple[str, ...]) -> str:
    catalogue = load_valid(str(REPO / "tests" / "golden" / "bundled" / "services.yaml"))
    env = catalogue.environments[0]
    (board,) = [b for b in build(Scope(catalogue.platform, env.services, topics)) if b.title == "Pipeline Funnel"]
    return board.json


def test_pipeline_funnel_does_not_grow_with_the_topics():
    """No query and no variable lists topics: 1,000 stages give the dashboard for 3."""
    assert _funnel(tuple(_topic(i) for i in range(LARGE))) == _funnel(tuple(_topic(i) for i in range(3)))


def test_a_thousand_kafka_services_with_their_own_topics_synthesize(tmp_path, capsys):
    """Each service's topic becomes a pipeline stage (pipeline.topics defaults to them):
    before the stage order was recorded, the Pipeline Funnel outgrew its ConfigMap."""
    data = _bench().catalogue(LARGE, 1)
    for i, service in enumerate(data["services"]):
        service["scaling"] = {"maxReplicas": 4, "kafka": {"topic": _topic(i), "lagThreshold": 100}}
    path = tmp_path / "services.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "dist"
    assert main(["synth", "-c", str(path), "-o", str(out)]) == 0, capsys.readouterr().err
    funnel = out / "monitoring" / "_dashboard-bench-platform-pipeline-funnel.yaml"
    assert funnel.stat().st_size < LIMIT
    rules = yaml.safe_load((out / "monitoring" / "_alerts.yaml").read_text(encoding="utf-8"))
    (group,) = rules["spec"]["groups"]
    records = [r["record"] for r in group["rules"]]
    assert (
        records.count("opsgen:pipeline_stage:info") == LARGE and records.count("opsgen:pipeline_edge:info") == LARGE - 1
    )
