"""A latency bound (``slo.latencyP95``, ``slo.latency.threshold``) is read exactly from the
histogram's bucket with that ``le``, so it must be one of the histogram's buckets:

- with the buckets declared in the service's ``metrics.exposition``: a located error
  (the issue's case: 90 s between the 60 s and 120 s buckets);
- without them: a located warning unless it is one of prometheus_client's default
  buckets, printed as ``file:line:col: warning: ...``; exit 0.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from opsgen import pipeline
from opsgen.catalogue import bucket_checks, promql
from opsgen.errors import CatalogueError
from tests.conftest import REPO

CATALOGUE = """\
platform: {name: demo}
environments:
  dev: {}
  prod: {}
services:
  - name: agent
    namespace: apps
    team: core
    metrics: {port: http}
    slo: {successRate: 95, latencyP95: 90s}
  - name: api
    namespace: apps
    team: web
    metrics: {port: http}
    slo: {latencyP95: 5s}
"""

DEFAULT_BOUNDS = "0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10 s"
DEFAULTS_WARNING = (
    f"slo.latencyP95: 90s is not one of prometheus_client's default buckets ({DEFAULT_BOUNDS}), and no "
    "metrics.exposition declares the buckets of agent_task_duration_seconds: without a 90s bucket its latency "
    "alerts read nothing; declare the histogram's buckets in metrics.exposition (docs/service-metrics.md), or use 10s"
)


def exposition(buckets: tuple[float, ...] | None) -> bytes:
    """What prometheus_client writes for an agent: the task counter after one success (its
    failure series created at start, docs/service-metrics.md) and, unless ``buckets`` is
    None, the duration histogram with these buckets after one task."""
    registry = CollectorRegistry()
    tasks = Counter("agent_tasks", "Tasks done.", ["outcome"], registry=registry)
    tasks.labels(outcome="failure")
    tasks.labels(outcome="success").inc()
    if buckets is not None:
        Histogram("agent_task_duration_seconds", "Task duration.", buckets=buckets, registry=registry).observe(42)
    return generate_latest(registry)


@pytest.fixture
def with_exposition(write_catalogue, tmp_path):
    """A catalogue whose agent reads metrics/agent.prom, written from ``buckets``."""

    def write(buckets: tuple[float, ...] | None, text: str = CATALOGUE) -> Path:
        (tmp_path / "metrics").mkdir(exist_ok=True)
        (tmp_path / "metrics" / "agent.prom").write_bytes(exposition(buckets))
        return write_catalogue(
            text.replace(
                "metrics: {port: http}\n    slo: {successRate",
                "metrics: {port: http, exposition: metrics/agent.prom}\n    slo: {successRate",
            )
        )

    return write


def problems(path: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in info.value.problems]


def warnings(path: Path) -> list[str]:
    catalogue = pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in pipeline.catalogue_warnings(catalogue)]


def test_a_bound_between_the_declared_buckets_is_an_error(with_exposition):
    """90 s between the 60 s and 120 s buckets: the share within 90 s cannot be read."""
    path = with_exposition((1, 5, 10, 30, 60, 120, 300))
    assert problems(path) == [
        "services.yaml:10:40: slo.latencyP95: 90s is not a bucket of agent_task_duration_seconds in "
        "'metrics/agent.prom' (its bounds: 1, 5, 10, 30, 60, 120, 300 s): the share of requests within 90s cannot "
        "be read from it (opsgen never interpolates inside a bucket); give the histogram a 90s bucket, or use 60s or 120s"
    ]


def test_a_bound_above_the_declared_buckets_is_an_error(with_exposition):
    assert problems(with_exposition((1, 5, 10, 30, 60)))[0].endswith("give the histogram a 90s bucket, or use 60s")


def test_a_declared_bucket_is_fine_even_the_largest(with_exposition):
    assert warnings(with_exposition((60, 90, 120))) == []
    assert warnings(with_exposition((30, 90))) == []


def test_milliseconds_match_the_bucket_an_exporter_writes(with_exposition):
    """300ms is the 0.3 bucket (ms x 0.001 would be 0.30000000000000004 for some values)."""
    text = CATALOGUE.replace("latencyP95: 90s", "latencyP95: 300ms")
    assert warnings(with_exposition((0.1, 0.3, 1), text)) == []
    text = CATALOGUE.replace("latencyP95: 90s", "latencyP95: 1s100ms")
    assert warnings(with_exposition((0.5, 1.1, 2), text)) == []


def test_without_exposition_a_warning_names_the_default_buckets(write_catalogue):
    """Once per place, not once per environment; api's 5s is a default bucket."""
    assert warnings(write_catalogue(CATALOGUE)) == [f"services.yaml:10:40: {DEFAULTS_WARNING}"]


def test_an_exposition_without_the_histogram_warns_like_none(with_exposition):
    assert warnings(with_exposition(None)) == [f"services.yaml:10:40: {DEFAULTS_WARNING}"]


def test_an_environment_override_is_located_where_it_is_written(write_catalogue):
    text = CATALOGUE.replace(
        "    slo: {latencyP95: 5s}\n",
        "    slo: {latencyP95: 5s}\n    environments:\n      prod: {slo: {latencyP95: 20s}}\n",
    )
    found = warnings(write_catalogue(text))
    assert [w.split(": ")[0] for w in found] == ["services.yaml:10:40", "services.yaml:17:32"]
    assert "slo.latencyP95: 20s is not one of prometheus_client's default buckets" in found[1]


def test_the_latency_slo_threshold_is_checked_against_its_own_histogram(write_catalogue, tmp_path):
    """slo.latency.metric names the histogram both latency bounds read (and the checks)."""
    registry = CollectorRegistry()
    Histogram("http_request_duration_seconds", "Request duration.", buckets=(0.1, 0.25, 1), registry=registry).observe(
        0.2
    )
    (tmp_path / "api.prom").write_bytes(generate_latest(registry))
    text = CATALOGUE.replace(
        "    metrics: {port: http}\n    slo: {latencyP95: 5s}\n",
        "    metrics: {port: http, exposition: api.prom}\n"
        "    slo:\n      latencyP95: 250ms\n      latency: {threshold: 300ms, objective: 99, metric: http_request_duration_seconds}\n",
    )
    (error,) = [p for p in problems(write_catalogue(text)) if "latency.threshold" in p]
    assert error.startswith(
        "services.yaml:17:28: slo.latency.threshold: 300ms is not a bucket of http_request_duration_seconds in 'api.prom'"
    )
    assert error.endswith("or use 0.25s or 1s")


def test_a_latency_slo_threshold_in_an_environment_is_checked_there(write_catalogue):
    text = CATALOGUE.replace(
        "    slo: {latencyP95: 5s}\n",
        "    slo: {latencyP95: 5s, latency: {threshold: 1s, objective: 99}}\n    environments:\n"
        "      prod: {slo: {latency: {threshold: 3s}}}\n",
    )
    found = warnings(write_catalogue(text))
    assert [w.split(": ")[0] for w in found] == ["services.yaml:10:40", "services.yaml:17:41"]
    assert "slo.latency.threshold: 3s is not one of prometheus_client's default buckets" in found[1]


def test_unreadable_exposition_is_reported_once_as_before(write_catalogue):
    text = CATALOGUE.replace(
        "metrics: {port: http}\n    slo: {successRate",
        "metrics: {port: http, exposition: gone.prom}\n    slo: {successRate",
    )
    assert problems(write_catalogue(text)) == [
        "services.yaml:9:27: metrics.exposition: cannot read 'gone.prom': No such file or directory"
    ]


def test_buckets_are_parsed_from_prometheus_client_text(tmp_path):
    path = tmp_path / "agent.prom"
    path.write_bytes(exposition((0.5, 30, 120)))
    read = promql.read_exposition(str(tmp_path), "agent.prom")
    assert read.buckets == {"agent_task_duration_seconds": (0.5, 30.0, 120.0)}
    assert "agent_task_duration_seconds_bucket" in read  # still series name -> label names
    assert bucket_checks.DEFAULT_BUCKETS[-1] == 10.0


def test_the_default_buckets_are_prometheus_clients():
    """bucket_checks copies them (importing prometheus_client slows validate down)."""
    assert bucket_checks.DEFAULT_BUCKETS == tuple(b for b in Histogram.DEFAULT_BUCKETS if math.isfinite(b))


def test_the_bundled_catalogue_reads_only_buckets_its_services_have():
    catalogue = pipeline.load_valid(str(REPO / "services.yaml"))
    assert pipeline.catalogue_warnings(catalogue) == []
    slow = {
        s.name: s.metrics.exposition
        for e in catalogue.environments
        for s in e.services
        if s.name in ("coding-agent", "test-builder")
    }
    assert slow == {"coding-agent": "metrics/coding-agent.prom", "test-builder": "metrics/test-builder.prom"}


def test_the_cli_prints_warnings_and_exits_0(write_catalogue, run):
    code, stdout, err = run("validate", "-c", write_catalogue(CATALOGUE))
    assert code == 0 and "is valid" in stdout
    (line,) = err.splitlines()
    assert line.endswith(f":10:40: warning: {DEFAULTS_WARNING}")
