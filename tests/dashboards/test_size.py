"""Dashboards stay small whatever the number of services.

A ConfigMap holds at most 1 MiB, and Grafana cannot show a thousand panels
anyway: no dashboard has a panel or a query per service (they join against the
series opsgen records per service, see alerting.catalogue_rules). Only the
namespace and service variables list the catalogue, a few bytes per service.
Built from the benchmark's catalogue generator (bench/catalogue.py).
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from opsgen.dashboards import build
from opsgen.dashboards.defaults import Scope
from opsgen.lib.dashboard_config_map import MAX_BYTES
from opsgen.pipeline import load_valid

REPO = Path(__file__).resolve().parents[2]
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
    """Dashboard JSON by title, for SMALL and LARGE services. Both use the LARGE
    catalogue's pipeline topics: the Pipeline Funnel has a query per topic (stages
    are ordered), which is the pipeline's size, not the catalogue's."""
    bench, tmp = _bench(), tmp_path_factory.mktemp("size")
    catalogues = {}
    for count in (SMALL, LARGE):
        path = tmp / f"c{count}.yaml"
        bench.write(str(path), count, 1)
        catalogues[count] = load_valid(str(path))
    topics = catalogues[LARGE].pipeline_topics
    out = {}
    for count, catalogue in catalogues.items():
        (env,) = catalogue.environments
        out[count] = {b.title: b.json for b in build(Scope(catalogue.platform, env.services, topics))}
    return out


def test_every_dashboard_is_built_at_both_sizes(boards):
    assert list(boards[SMALL]) == list(boards[LARGE]) and len(boards[LARGE]) == 7


def test_large_catalogue_dashboards_are_small(boards):
    sizes = {title: len(text.encode()) for title, text in boards[LARGE].items()}
    assert all(size < LIMIT for size in sizes.values()), sizes
    assert LIMIT < MAX_BYTES


def test_size_barely_depends_on_the_number_of_services(boards):
    for title, small in boards[SMALL].items():
        large = boards[LARGE][title]
        assert len(large) <= GROWTH * len(small), (title, len(small), len(large))
        assert len(large) - len(small) <= VARIABLE_BYTES_PER_SERVICE * (LARGE - SMALL), title


def test_only_the_variables_list_services(boards):
    """Without the variables, a dashboard for LARGE services is the one for SMALL."""
    for title, small in boards[SMALL].items():
        strip = lambda text: {k: v for k, v in json.loads(text).items() if k != "templating"}  # noqa: E731
        assert strip(boards[LARGE][title]) == strip(small), title
