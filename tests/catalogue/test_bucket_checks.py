"""``histogram_quantile`` never returns more than the largest finite bucket, so a
``slo.latencyP95`` at or above it could never fire LatencyP95High:

- with the buckets declared in the service's ``metrics.exposition``: a located error;
- without them: a located warning naming prometheus_client's default buckets (largest
  10 s), printed as ``file:line:col: warning: ...``; exit 0.
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
    slo: {latencyP95: 2s}
"""

DEFAULTS_WARNING = (
    "slo.latencyP95: 90s is not below 10s, the largest finite bucket of prometheus_client's default buckets "
    "(0.005 to 10 s), and no metrics.exposition declares the buckets of agent_task_duration_seconds: "
    "histogram_quantile never returns more than the largest finite bucket, so LatencyP95High could never fire; "
    "declare the histogram's buckets in metrics.exposition (docs/service-metrics.md)"
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
        return write_catalogue(text.replace("metrics: {port: http}\n    slo: {successRate", "metrics: {port: http, exposition: metrics/agent.prom}\n    slo: {successRate"))

    return write


def problems(path: Path) -> list[str]:
    with pytest.raises(CatalogueError) as info:
        pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in info.value.problems]


def warnings(path: Path) -> list[str]:
    catalogue = pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in pipeline.catalogue_warnings(catalogue)]


def test_latency_above_the_declared_buckets_is_an_error(with_exposition):
    path = with_exposition((1, 5, 10, 30, 60))
    assert problems(path) == [
        "services.yaml:10:40: slo.latencyP95: 90s is not below 60s, the largest finite bucket of "
        "agent_task_duration_seconds in 'metrics/agent.prom': histogram_quantile never returns more, "
        "so LatencyP95High could never fire; give the histogram a bucket above 90s (or lower slo.latencyP95)"
    ]


def test_latency_equal_to_the_largest_bucket_is_an_error(with_exposition):
    assert len(problems(with_exposition((30, 90)))) == 1


def test_latency_below_the_declared_buckets_is_fine(with_exposition):
    assert warnings(with_exposition((1, 5, 10, 30, 60, 120, 300))) == []


def test_without_exposition_a_warning_names_the_default_buckets(write_catalogue):
    """Once per place, not once per environment; api's 2s fits the defaults."""
    assert warnings(write_catalogue(CATALOGUE)) == [f"services.yaml:10:40: {DEFAULTS_WARNING}"]


def test_an_exposition_without_the_histogram_warns_like_none(with_exposition):
    assert warnings(with_exposition(None)) == [f"services.yaml:10:40: {DEFAULTS_WARNING}"]


def test_an_environment_override_is_located_where_it_is_written(write_catalogue):
    text = CATALOGUE.replace("    slo: {latencyP95: 2s}\n", "    slo: {latencyP95: 2s}\n    environments:\n      prod: {slo: {latencyP95: 20s}}\n")
    found = warnings(write_catalogue(text))
    assert [w.split(": ")[0] for w in found] == ["services.yaml:10:40", "services.yaml:17:32"]
    assert "slo.latencyP95: 20s is not below 10s" in found[1]


def test_unreadable_exposition_is_reported_once_as_before(write_catalogue):
    text = CATALOGUE.replace("metrics: {port: http}\n    slo: {successRate", "metrics: {port: http, exposition: gone.prom}\n    slo: {successRate")
    assert problems(write_catalogue(text)) == ["services.yaml:9:27: metrics.exposition: cannot read 'gone.prom': No such file or directory"]


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


def test_the_bundled_catalogue_declares_the_buckets_of_its_long_running_agents():
    catalogue = pipeline.load_valid(str(REPO / "services.yaml"))
    assert pipeline.catalogue_warnings(catalogue) == []
    slow = {s.name: s.metrics.exposition for e in catalogue.environments for s in e.services if s.name in ("coding-agent", "test-builder")}
    assert slow == {"coding-agent": "metrics/coding-agent.prom", "test-builder": "metrics/test-builder.prom"}


def test_the_cli_prints_warnings_and_exits_0(write_catalogue, run):
    code, stdout, err = run("validate", "-c", write_catalogue(CATALOGUE))
    assert code == 0 and "is valid" in stdout
    (line,) = err.splitlines()
    assert line.endswith(f":10:40: warning: {DEFAULTS_WARNING}")
