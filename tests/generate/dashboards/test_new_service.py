"""Adding a service changes no dashboard (issue 12): a new service is a change to
services.yaml and to that service's own files under dist/, never to a dashboard
ConfigMap. Dashboards list no services: their variables query the recorded
``opsgen:service_info`` and their panels join the recorded per-service series.
"""

from __future__ import annotations

from dataclasses import replace

from opsgen.generate import dashboards
from opsgen.generate.dashboards import build
from opsgen.pipeline import load_valid, synthesize

from .test_dashboards import FIXTURE, scopes

NEW_SERVICES = """\
  - name: reviewer           # agent with both SLOs, in a namespace of its own
    namespace: review
    team: review
    role: agent
    metrics: {port: http}
    slo: {successRate: 99, latencyP95: 10s}
  - name: indexer            # Kafka-scaled to zero, on a topic of its own
    namespace: knowledge
    team: knowledge
    metrics: {port: http}
    scaling: {minReplicas: 0, maxReplicas: 3, kafka: {topic: index.in, lagThreshold: 50}}
    slo: {backlog: 400}
  - name: api                # cpu-scaled, latency SLO
    namespace: web
    team: web
    metrics: {port: http}
    scaling: {minReplicas: 2, maxReplicas: 8, cpu: {targetUtilization: 60}}
    slo: {latencyP95: 250ms}
  - name: builder            # runner
    namespace: ci
    team: ci
    role: runner
    metrics: {port: metrics}
"""


def _texts() -> tuple[str, str]:
    """The fixture without its pipeline list (so topics default to the Kafka services'),
    and the same with a service of every kind added."""
    text = FIXTURE.read_text(encoding="utf-8")
    base = text[: text.index("pipeline:")]
    return base, base + NEW_SERVICES


def _dashboards(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if "/_dashboard-" in f"/{path}"}


def test_adding_a_service_of_every_kind_rewrites_no_dashboard(write_catalogue):
    base, more = (synthesize(load_valid(str(write_catalogue(text)))).files for text in _texts())  # one file name
    assert len(_dashboards(base)) == len(dashboards.MODULES)  # the fixture shows every dashboard
    assert _dashboards(more) == _dashboards(base)  # the same files, byte for byte
    assert set(more) - set(base) >= {
        "review/reviewer.yaml",
        "knowledge/indexer.yaml",
        "web/api.yaml",
        "ci/builder.yaml",
    }


def test_a_dashboard_is_the_same_for_any_services():
    """Each dashboard built from one service alone (when that service gives it a subject)
    is the one built from the whole catalogue: no panel, query or variable depends on
    which services there are, only whether the dashboard is emitted."""
    ((_, scope),) = scopes(load_valid(str(FIXTURE)))
    full = {b.uid: b.json for b in build(scope)}
    for service in scope.services:
        for board in build(replace(scope, services=(service,), pipeline_topics=scope.pipeline_topics[:1])):
            assert board.json == full[board.uid], (service.name, board.uid)
