"""The dashboards: goldens, grafana/dashboard-linter's rules (tests/dashboards/lint.py),
and every query through the same PromQL and metric-name checks as the alerts.

Goldens: tests/golden/dashboards/<uid>.json, built from tests/dashboards/catalogue.yaml.
After an intended change, regenerate them with

    OPSGEN_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/generate/dashboards -q

and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import promql_parser
import pytest
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as sdk_model

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue, Platform
from opsgen.catalogue.promql import check_expr, known_metrics
from opsgen.generate.dashboards import build
from opsgen.generate.dashboards.defaults import Scope
from opsgen.pipeline import load_valid

from . import lint

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
FIXTURE = HERE / "catalogue.yaml"
GOLDEN = REPO / "tests" / "golden" / "dashboards"
REGEN = os.environ.get("OPSGEN_REGEN_GOLDEN") == "1"
CATALOGUES = (FIXTURE, REPO / "tests" / "golden" / "bundled" / "services.yaml")


def scopes(catalogue: Catalogue) -> list[tuple[str, Scope]]:
    return [
        (env.name or "-", Scope(catalogue.platform, env.services, catalogue.pipeline_topics))
        for env in catalogue.environments
    ]


def _cases() -> list:
    """(catalogue, scope, board) for every dashboard of every environment of both catalogues."""
    out = []
    for path in CATALOGUES:
        catalogue = load_valid(str(path))
        for env, scope in scopes(catalogue):
            out += [pytest.param(path, scope, board, id=f"{path.name}-{env}-{board.uid}") for board in build(scope)]
    return out


CASES = _cases()


def fixture_boards() -> list:
    ((_, scope),) = scopes(load_valid(str(FIXTURE)))
    return build(scope)


# --- goldens ------------------------------------------------------------------


@pytest.mark.parametrize("board", fixture_boards(), ids=lambda b: b.uid)
def test_golden(board):
    path = GOLDEN / f"{board.uid}.json"
    if REGEN:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(board.json, encoding="utf-8")
    assert path.exists(), f"no golden {path}; run with OPSGEN_REGEN_GOLDEN=1"
    assert board.json == path.read_text(encoding="utf-8"), f"{board.uid} differs from its golden"


def test_no_stale_goldens():
    expected = {f"{b.uid}.json" for b in fixture_boards()}
    assert {p.name for p in GOLDEN.glob("*.json")} == expected


def test_fixture_has_every_dashboard():
    assert [b.title for b in fixture_boards()] == [
        "Agents Overview",
        "Agent Latency",
        "SLOs",
        "Pipeline Funnel",
        "Kafka Lag",
        "Build/CI Heatmap",
        "Autoscale Status",
        "Cost Summary",
    ]


@pytest.mark.parametrize("board", fixture_boards(), ids=lambda b: b.uid)
def test_json_decodes_into_the_sdk_model(board):
    """The JSON is the SDK's Dashboard model: decoding and re-encoding changes nothing."""
    data = json.loads(board.json)
    decoded = sdk_model.Dashboard.from_json(data)
    assert json.loads(json.dumps(decoded, cls=JSONEncoder)) == data


def test_json_is_sorted_and_stable():
    first, second = fixture_boards(), fixture_boards()
    assert [b.json for b in first] == [b.json for b in second]
    for board in first:
        assert board.json == json.dumps(json.loads(board.json), sort_keys=True, indent=2) + "\n"


# --- uids and variables ---------------------------------------------------------


@pytest.mark.parametrize("path,scope,board", CASES)
def test_uid(path, scope, board):
    data = json.loads(board.json)
    assert data["uid"] == board.uid and len(board.uid) <= conv.DASHBOARD_UID_MAX
    assert board.uid.startswith(scope.platform.name[:20])


def test_long_platform_names_get_short_distinct_uids():
    platform = Platform(name="a-really-long-platform-name-for-testing-uids")
    uids = {conv.dashboard_uid(platform, n) for n in ("agents-overview", "agent-latency", "kafka-lag")}
    assert len(uids) == 3 and all(len(u) <= conv.DASHBOARD_UID_MAX for u in uids)
    assert conv.dashboard_uid(platform, "kafka-lag") == conv.dashboard_uid(platform, "kafka-lag")


@pytest.mark.parametrize("path,scope,board", CASES)
def test_variables_query_the_recorded_services(path, scope, board):
    """Namespace and service choices come from Prometheus (the recorded opsgen:service_info),
    not from lists of the catalogue's names: a new service changes no dashboard."""
    found = {v["name"]: v for v in lint.variables(json.loads(board.json))}
    assert list(found) == ["datasource", "namespace", "service"]
    assert found["namespace"]["type"] == found["service"]["type"] == "query"
    assert found["namespace"]["query"] == "label_values(opsgen:service_info, namespace)"
    assert found["service"]["query"] == 'label_values(opsgen:service_info{namespace=~"$namespace"}, service)'
    assert found["service"]["refresh"] == found["namespace"]["refresh"] == 2  # on time range change


# --- grafana/dashboard-linter -----------------------------------------------------


@pytest.mark.parametrize("rule", sorted(lint.DASHBOARD_RULES))
@pytest.mark.parametrize("path,scope,board", CASES)
def test_linter_rule(rule, path, scope, board):
    assert lint.DASHBOARD_RULES[rule](json.loads(board.json)) == []


def _samples(scope: Scope) -> list[dict[str, str]]:
    """Variable values to expand queries with: one namespace and service, and All."""
    single = {"namespace": scope.namespaces[0], "service": scope.services[0].name}
    every = {"namespace": ".+", "service": ".+"}
    return [{**values, "__rate_interval": lint.RATE_INTERVAL_SAMPLE, "__range": "1h"} for values in (single, every)]


@pytest.mark.parametrize("path,scope,board", CASES)
def test_every_query(path, scope, board):
    """Parses, names only known metrics (opsgen.catalogue.promql, as for alerts), uses
    $__rate_interval in rate(), aggregates counters, narrows by the variables."""
    known = known_metrics(load_valid(str(path)), str(path.parent))
    problems = []
    for panel, target in lint.targets(json.loads(board.json)):
        where = f"{board.uid}/{panel['title']}/{target['refId']}"
        problems += [f"{where}: {p}" for p in lint.identity_matcher_problems(target["expr"])]
        for values in _samples(scope):
            expr = lint.expand(target["expr"], values)
            found = check_expr(expr, known, where)
            problems += found
            if not found:
                tree = promql_parser.parse(expr)
                problems += [f"{where}: {rule}: {p}" for rule, check in lint.TREE_RULES.items() for p in check(tree)]
    assert problems == []


@pytest.mark.parametrize("path,scope,board", CASES)
def test_rate_queries_use_rate_interval(path, scope, board):
    for _, target in lint.targets(json.loads(board.json)):
        if "rate(" in target["expr"]:
            assert "[$__rate_interval]" in target["expr"]


# --- the rules catch what they should ------------------------------------------------


def _broken() -> dict:
    board = json.loads(fixture_boards()[0].json)
    panel = board["panels"][0]
    panel["datasource"] = {"type": "prometheus", "uid": "prom-prod"}
    panel["fieldConfig"]["defaults"].pop("unit")
    panel["description"] = ""
    panel["targets"][1]["refId"] = "A"
    board["editable"] = True
    board["templating"]["list"][2]["allValue"] = None
    return board


@pytest.mark.parametrize(
    "rule",
    [
        "panel-datasource-rule",
        "panel-units-rule",
        "panel-title-description-rule",
        "target ref_id",
        "uneditable-rule",
        "template-job-rule/template-instance-rule (namespace, service)",
    ],
)
def test_rules_reject_broken_dashboard(rule):
    assert lint.DASHBOARD_RULES[rule](_broken()) != []


@pytest.mark.parametrize(
    "expr,check",
    [
        ("sum(rate(agent_tasks_total[5m]))", lint.rate_interval_problems),
        ("sum(agent_tasks_total)", lint.counter_agg_problems),
    ],
)
def test_tree_rules_reject(expr, check):
    assert check(promql_parser.parse(expr)) != []


def test_identity_rule_rejects_unnarrowed_selector():
    assert lint.identity_matcher_problems('sum(rate(agent_tasks_total{namespace=~"$namespace"}[$__rate_interval]))')
    assert lint.identity_matcher_problems(
        'max(kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler=~"$service"})'
    )
    assert not lint.identity_matcher_problems('sum(kafka_topic_partition_current_offset{topic="a"})')


@pytest.mark.parametrize("board", fixture_boards(), ids=lambda b: b.uid)
def test_panels_fit_the_grid(board):
    """Grafana's grid is 24 columns: a panel starting at x=12 with w=24 is cut off."""
    for panel in lint.panels(json.loads(board.json)):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, (panel["title"], grid)
