"""The dashboards' joins, evaluated by Prometheus itself (``promtool test rules``).

Dashboards list no services: they select the recorded catalogue series
(``opsgen:service_info``, ``opsgen:hpa_info``, the SLO and Kafka constants; see
alerting.catalogue_rules) and join on ``(namespace, service)``; the Pipeline Funnel
lists no topics and joins the recorded stage order on ``topic``
(alerting.pipeline_rules). Here the fixture catalogue's generated rules run against
exporter-like input series, and panel queries (variables at "All") must return
exactly the expected series per service (per stage).
"""
from __future__ import annotations

import json

from opsgen.build import alerting
from opsgen.build.dashboards import build
from opsgen.pipeline import load_valid
from tests import prom_tools

from . import lint
from .test_dashboards import FIXTURE, scopes

ALL = {"namespace": ".+", "service": ".+", "__rate_interval": "2m", "__range": "1h"}
EVAL = "70m"
N = 80  # samples per input series, one a minute


def _setup():
    catalogue = load_valid(str(FIXTURE))
    (env,) = catalogue.environments
    (_, scope), = scopes(catalogue)
    groups = [g.to_json() for s in env.services for g in alerting.service_groups(s, env, catalogue.platform)]
    for group in groups:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    boards = {b.title: json.loads(b.json) for b in build(scope)}
    return {"groups": groups}, boards


RULES, BOARDS = _setup()


def query(board: str, panel: str, ref: str = "A") -> str:
    (target,) = [t for p, t in lint.targets(BOARDS[board]) if p["title"] == panel and t["refId"] == ref]
    return lint.expand(target["expr"], ALL)


def series(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{name}{{{inner}}}"


def inp(name: str, labels: dict[str, str], values: str) -> dict:
    return {"series": series(name, labels), "values": values}


def out(labels: dict[str, str], value: float, name: str | None = None) -> dict:
    return {"labels": series(name, labels) if name else "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}", "value": value}


def run(tmp_path, input_series: list[dict], checks: list[tuple[str, list[dict]]], rules: dict = RULES):
    tests = [{
        "interval": "1m",
        "input_series": input_series,
        "promql_expr_test": [{"expr": expr, "eval_time": EVAL, "exp_samples": samples} for expr, samples in checks],
    }]
    result = prom_tools.test_rules(rules, tests, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


PLANNER = {"namespace": "agents", "service": "planner"}
FIXER = {"namespace": "agents", "service": "fixer"}
RUNNER = {"namespace": "ci", "service": "runner"}
SEARCH = {"namespace": "knowledge", "service": "search"}
KSM = {"job": "kube-state-metrics", "service": "kube-state-metrics", "instance": "ksm:8080"}  # its own target labels


def hpa(namespace: str, name: str) -> dict[str, str]:
    return {"namespace": namespace, "horizontalpodautoscaler": name, **KSM}


@prom_tools.needs_promtool
def test_kafka_lag_joins_lag_thresholds_and_replicas(tmp_path):
    lag = "kafka_consumergroup_lag"
    replicas = "kube_horizontalpodautoscaler_status_current_replicas"
    input_series = [
        inp(lag, {"consumergroup": "planners", "topic": "plan.in", "partition": "0"}, f"30x{N}"),
        inp(lag, {"consumergroup": "planners", "topic": "plan.in", "partition": "1"}, f"10x{N}"),
        inp(lag, {"consumergroup": "runner", "topic": "build.in", "partition": "0"}, f"5x{N}"),
        inp(lag, {"consumergroup": "someone-else", "topic": "plan.in", "partition": "0"}, f"999x{N}"),
        inp(replicas, hpa("agents", "keda-hpa-planner"), f"2x{N}"),
        inp(replicas, hpa("ci", "keda-hpa-runner"), f"0x{N}"),  # scaled to zero
    ]
    record = "opsgen:kafka_consumergroup_lag:sum"
    run(tmp_path, input_series, [
        (query("Kafka Lag", "Lag against thresholds", "A"), [out(PLANNER, 40, record), out(RUNNER, 5, record)]),
        (query("Kafka Lag", "Lag against thresholds", "B"), [out(PLANNER, 40), out(RUNNER, 0)]),  # 20 × 2, 10 × 0
        (query("Kafka Lag", "Lag against thresholds", "C"),
         [out(PLANNER, 500, "opsgen:kafka_backlog_threshold"), out(RUNNER, 50, "opsgen:kafka_backlog_threshold")]),
        (query("Kafka Lag", "Lag against lagThreshold × replicas"), [out(PLANNER, 1), out(RUNNER, 0.5)]),  # 5 / (10 × max(0, 1))
        (query("Kafka Lag", "Lag against the backlog threshold"), [out(PLANNER, 0.08), out(RUNNER, 0.1)]),
    ])


@prom_tools.needs_promtool
def test_autoscale_status_maps_hpas_to_services(tmp_path):
    values = {"current": 2, "desired": 3, "min": 0, "max": 5}
    names = {
        "current": "kube_horizontalpodautoscaler_status_current_replicas",
        "desired": "kube_horizontalpodautoscaler_status_desired_replicas",
        "min": "kube_horizontalpodautoscaler_spec_min_replicas",
        "max": "kube_horizontalpodautoscaler_spec_max_replicas",
    }
    input_series = []
    for key, metric in names.items():
        input_series += [
            inp(metric, hpa("agents", "keda-hpa-planner"), f"{values[key]}x{N}"),
            inp(metric, hpa("knowledge", "search"), f"4x{N}"),  # opsgen's own HPA, at max
            inp(metric, hpa("agents", "not-in-the-catalogue"), f"7x{N}"),
        ]
    checks = [
        (query("Autoscale Status", "Replicas against bounds", ref), [out(PLANNER, values[key]), out(SEARCH, 4)])
        for ref, key in zip("ABCD", names)
    ]
    checks.append((query("Autoscale Status", "Replicas against max"), [out(PLANNER, 0.4), out(SEARCH, 1)]))
    run(tmp_path, input_series, checks)


def tasks(labels: dict[str, str], failed: int, ok: int) -> list[dict]:
    return [
        inp("agent_tasks_total", {**labels, "outcome": "failure"}, f"0+{failed}x{N}"),
        inp("agent_tasks_total", {**labels, "outcome": "success"}, f"0+{ok}x{N}"),
    ]


@prom_tools.needs_promtool
def test_agents_overview_keeps_agents_and_their_slo(tmp_path):
    input_series = tasks(PLANNER, 1, 99) + tasks(FIXER, 0, 60) + tasks(SEARCH, 50, 50)  # search is no agent
    run(tmp_path, input_series, [
        (query("Agents Overview", "Success rate"), [out(PLANNER, 0.99), out(FIXER, 1)]),
        (query("Agents Overview", "Success rate", "B"), [out(PLANNER, 0.995, "opsgen:slo_objective:ratio")]),
        (query("Agents Overview", "Success rate against SLO"), [out(PLANNER, 0.99 - 0.995)]),  # fixer has no SLO
        (query("Agents Overview", "Task outcomes", "B"), [out(PLANNER, 1 / 60), out(FIXER, 0)]),
    ])


@prom_tools.needs_promtool
def test_latency_and_builds_keep_the_catalogues_services(tmp_path):
    bucket = "agent_task_duration_seconds_bucket"
    count = "ci_build_duration_seconds_count"
    input_series = [
        inp(bucket, {**SEARCH, "le": "1"}, f"0+10x{N}"),
        inp(bucket, {**SEARCH, "le": "+Inf"}, f"0+10x{N}"),
        inp(bucket, {"namespace": "knowledge", "service": "stranger", "le": "+Inf"}, f"0+10x{N}"),
        inp(count, RUNNER, f"0+60x{N}"),
        inp(count, SEARCH, f"0+60x{N}"),  # not a runner
    ]
    run(tmp_path, input_series, [
        (query("Agent Latency", "p95 task duration"), [out(SEARCH, 0.95)]),
        (query("Agent Latency", "p95 task duration", "B"), [out(SEARCH, 1.5, "opsgen:slo_latency_p95:seconds")]),
        (query("Build/CI Heatmap", "Builds"), [out(RUNNER, 1)]),
    ])


# A topic name is free text: the stage series carry it as a plain label value.
ODD = 'odd "topic" {{x}} $1'


def escaped(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def pipeline_rules(topics: tuple[str, ...]) -> dict:
    catalogue = load_valid(str(FIXTURE))
    (env,) = catalogue.environments
    groups = alerting.platform_groups((), env, catalogue.platform, topics)
    return {"groups": [g.to_json() for g in groups]}


def offsets(topic: str, partition: str, per_minute: int) -> dict:
    labels = {"topic": escaped(topic), "partition": partition, "job": "kafka-exporter", "instance": "ke:9308"}
    return inp("kafka_topic_partition_current_offset", labels, f"0+{per_minute}x{N}")


def stage(number: str, topic: str) -> dict[str, str]:
    return {"stage": number, "topic": escaped(topic)}


def edge(topic: str, following: str) -> dict[str, str]:
    return {"next_topic": escaped(following), "topic": escaped(topic)}


@prom_tools.needs_promtool
def test_pipeline_funnel_joins_the_recorded_stage_order(tmp_path):
    """Three stages, one of them with two partitions, and a topic outside the pipeline:
    one query per panel returns a series per stage, with its stage number."""
    topics = ("ingest", "enrich", ODD)
    input_series = [
        offsets("ingest", "0", 60), offsets("ingest", "1", 60),  # 2/s
        offsets("enrich", "0", 90),  # 1.5/s
        offsets(ODD, "0", 30),  # 0.5/s
        offsets("not-in-the-pipeline", "0", 600),
    ]
    run(tmp_path, input_series, [
        (query("Pipeline Funnel", "Messages per stage"),
         [out(stage("01", "ingest"), 2), out(stage("02", "enrich"), 1.5), out(stage("03", ODD), 0.5)]),
        (query("Pipeline Funnel", "Funnel over the time range"),
         [out(stage("01", "ingest"), 7200), out(stage("02", "enrich"), 5400), out(stage("03", ODD), 1800)]),
        (query("Pipeline Funnel", "Drop-off between stages"),
         [out(edge("ingest", "enrich"), 0.25), out(edge("enrich", ODD), 1 - 0.5 / 1.5)]),
    ], pipeline_rules(topics))
