"""catalogue/first_failure.py: a located warning when a success SLO's counter has samples
in the service's exposition file but no failure series (prometheus_client creates it
with the first failure, which rate() then never counts)."""

from __future__ import annotations

from opsgen import pipeline

CATALOGUE = """\
platform: {name: p}
services:
  - name: a
    namespace: n
    team: t
    metrics: {port: http, exposition: a.prom}
    slo: {successRate: 99%s}
"""
SUCCESS_ONLY = '# TYPE agent_tasks_total counter\nagent_tasks_total{outcome="success"} 3.0\n'
BOTH = SUCCESS_ONLY + 'agent_tasks_total{outcome="failure"} 0.0\n'
HTTP = '# TYPE http_requests_total counter\nhttp_requests_total{code="200"} 3.0\nhttp_requests_total{code="503"} 0.0\n'


def warnings(write_catalogue, exposition: str, slo: str = "") -> list[str]:
    write_catalogue(exposition, "a.prom")
    path = write_catalogue(CATALOGUE % slo)
    return [
        str(w).replace(str(path), "services.yaml") for w in pipeline.catalogue_warnings(pipeline.load_valid(str(path)))
    ]


def test_a_counter_without_its_failure_series_warns_at_the_exposition(write_catalogue):
    assert warnings(write_catalogue, SUCCESS_ONLY) == [
        "services.yaml:6:27: metrics.exposition: 'a.prom' has agent_tasks_total samples but no failure series "
        "(outcome=~'failure'): prometheus_client creates it with the first failure, which rate() then never counts (and "
        "a pod that fails once and restarts is invisible); create it at start-up, e.g. agent_tasks.labels(outcome=...) "
        "(docs/service-metrics.md)"
    ]


def test_an_initialised_failure_series_is_fine(write_catalogue):
    assert warnings(write_catalogue, BOTH) == []


def test_the_failure_series_follows_slo_requests(write_catalogue):
    own = ', requests: {metric: http_requests_total, failures: {code: "5.."}}'
    assert warnings(write_catalogue, HTTP, own) == []
    assert len(warnings(write_catalogue, HTTP.replace('code="503"', 'code="404"'), own)) == 1
