"""The dashboards' joins, evaluated by Prometheus itself (``promtool test rules``).

Dashboards list no services: they select the recorded catalogue series
(``opsgen:service_info``, ``opsgen:hpa_info``, the SLO and Kafka constants; see
alerting.catalogue_rules) and join on ``(namespace, service)``; the Pipeline Funnel
lists no topics and joins the recorded stage order on ``topic``
(alerting.pipeline_rules). Here the fixture catalogue's generated rules run against
input series shaped as the exporters really send them (prometheus_client's counter
without a failure series until the first failure, kafka-exporter's -1 lag of
uncommitted partitions and its own namespace/service labels, KEDA's
exported_namespace, Kubecost's allocations and prices, Sloth's labels), and panel
queries (variables at "All") must return exactly the expected series and values.
"""

from __future__ import annotations

import json

from opsgen.generate import alerting
from opsgen.generate.dashboards import build
from opsgen.generate.dashboards.defaults import ref_id
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
    ((_, scope),) = scopes(catalogue)
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
    return {
        "labels": series(name, labels) if name else "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}",
        "value": value,
    }


def run(tmp_path, input_series: list[dict], checks: list[tuple[str, list[dict]]], rules: dict = RULES):
    tests = [
        {
            "interval": "1m",
            "input_series": input_series,
            "promql_expr_test": [{"expr": expr, "eval_time": EVAL, "exp_samples": samples} for expr, samples in checks],
        }
    ]
    result = prom_tools.test_rules(rules, tests, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


PLANNER = {"namespace": "agents", "service": "planner"}
FIXER = {"namespace": "agents", "service": "fixer"}
RUNNER = {"namespace": "ci", "service": "runner"}
SEARCH = {"namespace": "knowledge", "service": "search"}
KSM = {"job": "kube-state-metrics", "service": "kube-state-metrics", "instance": "ksm:8080"}  # its own target labels


def hpa(namespace: str, name: str) -> dict[str, str]:
    return {"namespace": namespace, "horizontalpodautoscaler": name, **KSM}


KAFKA_EXPORTER = {"namespace": "kafka", "service": "kafka-exporter", "job": "kafka-exporter", "instance": "ke:9308"}


def partition(group: str, topic: str, number: str) -> dict[str, str]:
    """kafka-exporter's labels of a consumer group's partition (its own namespace and service)."""
    return {"consumergroup": group, "topic": topic, "partition": number, **KAFKA_EXPORTER}


def consumer(service: dict[str, str], group: str, topic: str, number: str) -> dict[str, str]:
    """A partition series joined to its service: the service's namespace and service replace the exporter's."""
    return {**partition(group, topic, number), **service}


@prom_tools.needs_promtool
def test_kafka_lag_joins_lag_thresholds_and_replicas(tmp_path):
    """kafka-exporter as it really reports: partition 2 of plan.in was never committed by
    the planners (lag -1, current offset -1): left out, it cannot cancel real backlog."""
    lag, offset = "kafka_consumergroup_lag", "kafka_consumergroup_current_offset"
    replicas = "kube_horizontalpodautoscaler_status_current_replicas"
    input_series = [
        inp(lag, partition("planners", "plan.in", "0"), f"30x{N}"),
        inp(lag, partition("planners", "plan.in", "1"), f"10x{N}"),
        inp(lag, partition("planners", "plan.in", "2"), f"-1x{N}"),  # uncommitted
        inp(lag, partition("runner", "build.in", "0"), f"5x{N}"),
        inp(lag, partition("someone-else", "plan.in", "0"), f"999x{N}"),
        inp(offset, partition("planners", "plan.in", "0"), f"0+60x{N}"),  # 1/s
        inp(offset, partition("planners", "plan.in", "1"), f"0+120x{N}"),  # 2/s
        inp(offset, partition("planners", "plan.in", "2"), f"-1x{N}"),
        inp(offset, partition("runner", "build.in", "0"), f"0+30x{N}"),  # 0.5/s
        inp(offset, partition("someone-else", "plan.in", "0"), f"0+600x{N}"),
        inp(replicas, hpa("agents", "keda-hpa-planner"), f"2x{N}"),
        inp(replicas, hpa("ci", "keda-hpa-runner"), f"0x{N}"),  # scaled to zero
    ]
    run(
        tmp_path,
        input_series,
        [
            (query("Kafka Lag", "Lag against thresholds", "A"), [out(PLANNER, 40), out(RUNNER, 5)]),  # not 39
            (query("Kafka Lag", "Lag against thresholds", "B"), [out(PLANNER, 40), out(RUNNER, 0)]),  # 20 × 2, 10 × 0
            (
                query("Kafka Lag", "Lag against thresholds", "C"),
                [
                    out(PLANNER, 500, "opsgen:kafka_backlog_threshold"),
                    out(RUNNER, 100, "opsgen:kafka_backlog_threshold"),
                ],
            ),  # 10 replicas × 10
            (
                query("Kafka Lag", "Lag against lagThreshold × replicas"),
                [out(PLANNER, 1), out(RUNNER, 0.5)],
            ),  # 5 / (10 × max(0, 1))
            (query("Kafka Lag", "Lag against the backlog threshold"), [out(PLANNER, 0.08), out(RUNNER, 0.05)]),
            (query("Kafka Lag", "Consume rate"), [out(PLANNER, 3), out(RUNNER, 0.5)]),
            (query("Kafka Lag", "Time to drain"), [out(PLANNER, 40 / 3), out(RUNNER, 10)]),
            (
                query("Kafka Lag", "Lag per partition"),
                [
                    out(consumer(PLANNER, "planners", "plan.in", "0"), 30),
                    out(consumer(PLANNER, "planners", "plan.in", "1"), 10),
                    out(consumer(RUNNER, "runner", "build.in", "0"), 5),
                ],
            ),
        ],
    )


@prom_tools.needs_promtool
def test_kafka_lag_of_a_group_that_committed_nothing_is_not_negative(tmp_path):
    lag = "kafka_consumergroup_lag"
    input_series = [
        inp(lag, partition("planners", "plan.in", "0"), f"-1x{N}"),
        inp(lag, partition("planners", "plan.in", "1"), f"-1x{N}"),
        inp(lag, partition("runner", "build.in", "0"), f"7x{N}"),
    ]
    run(tmp_path, input_series, [(query("Kafka Lag", "Lag against thresholds", "A"), [out(RUNNER, 7)])])


@prom_tools.needs_promtool
def test_autoscale_status_maps_hpas_to_services(tmp_path):
    values = {"current": 2, "desired": 3, "max": 5}
    names = {
        "current": "kube_horizontalpodautoscaler_status_current_replicas",
        "desired": "kube_horizontalpodautoscaler_status_desired_replicas",
        "max": "kube_horizontalpodautoscaler_spec_max_replicas",
    }
    input_series = [inp("kube_horizontalpodautoscaler_spec_min_replicas", hpa("agents", "keda-hpa-planner"), f"1x{N}")]
    for key, metric in names.items():
        input_series += [
            inp(metric, hpa("agents", "keda-hpa-planner"), f"{values[key]}x{N}"),
            inp(metric, hpa("knowledge", "search"), f"4x{N}"),  # opsgen's own HPA, at max
            inp(metric, hpa("agents", "not-in-the-catalogue"), f"7x{N}"),
        ]
    checks = [
        (query("Autoscale Status", "Replicas against bounds", ref), [out(PLANNER, values[key]), out(SEARCH, 4)])
        for ref, key in zip("ABD", names)
    ]
    min_record = "opsgen:scaling_min_replicas"  # the catalogue's minReplicas: 0 where KEDA's HPA says 1
    checks.append(
        (
            query("Autoscale Status", "Replicas against bounds", "C"),
            [out(PLANNER, 0, min_record), out(RUNNER, 1, min_record), out(SEARCH, 2, min_record)],
        )
    )
    checks.append((query("Autoscale Status", "Replicas against max"), [out(PLANNER, 0.4), out(SEARCH, 1)]))
    run(tmp_path, input_series, checks)


KEDA = {
    "namespace": "keda",
    "service": "keda-operator-metrics-apiserver",
    "job": "keda-operator",
    "instance": "keda:8080",
}


def keda(namespace: str, scaled_object: str, **extra: str) -> dict[str, str]:
    """KEDA 2.13's labels as scraped by its chart's ServiceMonitor (no honorLabels)."""
    return {**KEDA, "exported_namespace": namespace, "scaledObject": scaled_object, **extra}


@prom_tools.needs_promtool
def test_autoscale_status_keda_errors_and_paused(tmp_path):
    """KEDA starts its error counters at 0 and sets keda_scaled_object_paused only when a
    ScaledObject is paused or unpaused: planner, never paused, reads 0."""
    scaler = {"scaler": "kafkaScaler", "triggerIndex": "0", "metric": "s0-kafka-plan-in", "type": "scaledobject"}
    input_series = [
        inp("keda_scaled_object_errors", keda("agents", "planner"), f"0+6x{N}"),  # 0.1/s
        inp("keda_scaled_object_errors", keda("ci", "runner"), f"0x{N}"),
        inp("keda_scaler_errors", keda("agents", "planner", **scaler), f"0+6x{N}"),
        inp("keda_scaled_object_paused", keda("ci", "runner"), f"1x{N}"),
    ]
    per_object = [
        out({"exported_namespace": "agents", "scaledObject": "planner"}, 0.1),
        out({"exported_namespace": "ci", "scaledObject": "runner"}, 0),
    ]
    run(
        tmp_path,
        input_series,
        [
            (query("Autoscale Status", "KEDA errors", "A"), per_object),
            (query("Autoscale Status", "KEDA errors", "B"), per_object[:1]),
            (
                query("Autoscale Status", "KEDA ScaledObject paused"),
                [out({**PLANNER, "horizontalpodautoscaler": "keda-hpa-planner"}, 0), out(RUNNER, 1)],
            ),
        ],
    )


def tasks(labels: dict[str, str], failed: int, ok: int) -> list[dict]:
    """prometheus_client's counter as a service exports it: a child series per outcome
    seen so far, so no failure series while the service has never failed."""
    series = [inp("agent_tasks_total", {**labels, "outcome": "success"}, f"0+{ok}x{N}")]
    return series + ([inp("agent_tasks_total", {**labels, "outcome": "failure"}, f"0+{failed}x{N}")] if failed else [])


def sloth(service: dict[str, str], slo: str = "success-rate", **extra: str) -> dict[str, str]:
    """Sloth's labels of one SLO of a service, with the service's namespace and service."""
    ident = f"{service['namespace']}/{service['service']}/{slo}"
    return {
        **service,
        "sloth_id": ident,
        "sloth_service": f"{service['namespace']}/{service['service']}",
        "sloth_slo": slo,
        **extra,
    }


@prom_tools.needs_promtool
def test_agents_overview_keeps_agents_and_their_slo(tmp_path):
    """fixer has never failed (no failure series): 0 failures and 100%, not "No data"."""
    input_series = tasks(PLANNER, 1, 99) + tasks(FIXER, 0, 60) + tasks(SEARCH, 50, 50)  # search is no agent
    run(
        tmp_path,
        input_series,
        [  # the 30d ratio from the generated Sloth rules: the mean of the 5m ratios
            (query("Agents Overview", "Success rate"), [out(PLANNER, 0.99), out(FIXER, 1)]),
            (query("Agents Overview", "Success rate", "B"), [out(PLANNER, 0.995)]),
            (
                query("Agents Overview", "Success rate against SLO"),
                [out(sloth(PLANNER, sloth_window="30d"), (1 - 0.01) - 0.995)],
            ),
            (query("Agents Overview", "Task outcomes", "A"), [out(PLANNER, 99 / 60), out(FIXER, 1)]),
            (query("Agents Overview", "Task outcomes", "B"), [out(PLANNER, 1 / 60), out(FIXER, 0)]),
        ],
    )


@prom_tools.needs_promtool
def test_slo_dashboard_reads_the_sloth_series(tmp_path):
    """Sloth's series fed directly, without opsgen's rules: the dashboard reads any
    Sloth-compatible SLO (see the next test for opsgen's own)."""
    budget = 0.005
    input_series = [
        inp("slo:period_error_budget_remaining:ratio", sloth(PLANNER), f"0.4x{N}"),
        inp("slo:error_budget:ratio", sloth(PLANNER), f"{budget}x{N}"),
        inp("slo:current_burn_rate:ratio", sloth(PLANNER), f"2x{N}"),
        inp("slo:period_burn_rate:ratio", sloth(PLANNER), f"0.6x{N}"),
        inp("sloth_slo_info", sloth(PLANNER, sloth_objective="99.5"), f"1x{N}"),
        inp("sloth_slo_info", sloth(RUNNER, sloth_objective="90"), f"1x{N}"),
        inp(
            "ALERTS",
            {"alertname": "ErrorBudgetBurnFast", "alertstate": "firing", "severity": "page", **PLANNER},
            f"1x{N}",
        ),
        inp(
            "ALERTS", {"alertname": "LatencyP95High", "alertstate": "pending", "severity": "warn", **PLANNER}, f"1x{N}"
        ),
        inp(
            "ALERTS", {"alertname": "KafkaBacklogHigh", "alertstate": "firing", "severity": "warn", **RUNNER}, f"1x{N}"
        ),
    ]
    windows = ("5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d")
    input_series += [
        inp(f"slo:sli_error:ratio_rate{w}", sloth(PLANNER, sloth_window=w), f"{0.001 * (i + 1)}x{N}")
        for i, w in enumerate(windows)
    ]
    checks = [
        (
            query("SLOs", "Error budget remaining"),
            [out(sloth(PLANNER), 0.4, "slo:period_error_budget_remaining:ratio")],
        ),
        (query("SLOs", "Burn rate", "A"), [out(sloth(PLANNER), 2, "slo:current_burn_rate:ratio")]),
        (query("SLOs", "Burn rate", "B"), [out(sloth(PLANNER), 0.6, "slo:period_burn_rate:ratio")]),
        (query("SLOs", "Firing SLO alerts per service"), [out(PLANNER, 1), out(RUNNER, 0)]),
        (
            query("SLOs", "Firing SLO alerts"),
            [out({"alertname": "ErrorBudgetBurnFast", "severity": "page", **PLANNER}, 1)],
        ),
    ]
    checks += [
        (
            query("SLOs", "Burn rate per window", ref_id(i)),
            [out(sloth(PLANNER, sloth_window=w), 0.001 * (i + 1) / budget)],
        )
        for i, w in enumerate(windows)
    ]
    run(tmp_path, input_series, checks, {"groups": []})


@prom_tools.needs_promtool
def test_slo_dashboard_on_the_generated_rules(tmp_path):
    """From raw counters through the generated rules (Sloth-compatible records and the
    alerts): planner fails 1% of its tasks against a 0.5% budget (burn rate 2, the budget
    overspent by 100%, ErrorBudgetBurnSlow firing: 1x over 3d and 6h); runner has never
    failed (no failure series): its budget is whole and its burn rate 0, not "No data".
    As in Sloth, the burn-rate records keep the sloth_window of the ratio they divide."""
    input_series = tasks(PLANNER, 1, 99) + tasks(RUNNER, 0, 30)
    remaining, burn = "slo:period_error_budget_remaining:ratio", "slo:current_burn_rate:ratio"
    period, now = {"sloth_window": "30d"}, {"sloth_window": "5m"}
    slow = {"alertname": "ErrorBudgetBurnSlow", "severity": "warn", **PLANNER}
    run(
        tmp_path,
        input_series,
        [
            (
                query("SLOs", "Error budget remaining"),
                [out(sloth(PLANNER, **period), -1, remaining), out(sloth(RUNNER, **period), 1, remaining)],
            ),
            (
                query("SLOs", "Burn rate", "A"),
                [out(sloth(PLANNER, **now), 2, burn), out(sloth(RUNNER, **now), 0, burn)],
            ),
            (query("SLOs", "Burn rate per window", "A"), [out(sloth(PLANNER, **now), 2), out(sloth(RUNNER, **now), 0)]),
            (query("SLOs", "Firing SLO alerts per service"), [out(PLANNER, 1), out(RUNNER, 0)]),
            (query("SLOs", "Firing SLO alerts"), [out(slow, 1)]),
            (query("Agents Overview", "Success rate against SLO"), [out(sloth(PLANNER, **period), (1 - 0.01) - 0.995)]),
        ],
    )


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
    run(
        tmp_path,
        input_series,
        [
            (query("Agent Latency", "p95 task duration"), [out(SEARCH, 0.95)]),
            (query("Agent Latency", "p95 task duration", "B"), [out(SEARCH, 1.5, "opsgen:slo_latency_p95:seconds")]),
            (query("Build/CI Heatmap", "Builds"), [out(RUNNER, 1)]),
        ],
    )


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
        offsets("ingest", "0", 60),
        offsets("ingest", "1", 60),  # 2/s
        offsets("enrich", "0", 90),  # 1.5/s
        offsets(ODD, "0", 30),  # 0.5/s
        offsets("not-in-the-pipeline", "0", 600),
    ]
    run(
        tmp_path,
        input_series,
        [
            (
                query("Pipeline Funnel", "Messages per stage"),
                [out(stage("01", "ingest"), 2), out(stage("02", "enrich"), 1.5), out(stage("03", ODD), 0.5)],
            ),
            (
                query("Pipeline Funnel", "Funnel over the time range"),
                [out(stage("01", "ingest"), 7200), out(stage("02", "enrich"), 5400), out(stage("03", ODD), 1800)],
            ),
            (
                query("Pipeline Funnel", "Drop-off between stages"),
                [out(edge("ingest", "enrich"), 0.25), out(edge("enrich", ODD), 1 - 0.5 / 1.5)],
            ),
        ],
        pipeline_rules(topics),
    )


GIB = 1024**3
KUBECOST = {"job": "kubecost", "instance": "kubecost:9003"}


def container(namespace: str, pod: str, node: str = "n1") -> dict[str, str]:
    return {"namespace": namespace, "pod": pod, "container": "main", "node": node, **KUBECOST}


@prom_tools.needs_promtool
def test_cost_summary_integrates_what_was_spent(tmp_path):
    """Dollars spent, not a run rate: at 70m, the day so far holds the 5-minute samples
    0m, 5m, ..., 70m (15, each 1/12 hour). A ci pod that ran for the first 30 minutes
    (7 samples) still costs in the day after it is gone; a namespace without GPU or
    volume keeps its CPU and memory cost."""
    node = {"node": "n1", **KUBECOST}
    claim = {"namespace": "agents", "persistentvolumeclaim": "data", "volumename": "pv-1", "storageclass": "ssd", **KSM}
    input_series = [
        inp("node_cpu_hourly_cost", node, f"0.04x{N}"),
        inp("node_ram_hourly_cost", node, f"0.005x{N}"),
        inp("node_gpu_hourly_cost", node, f"0.9x{N}"),
        inp("node_total_hourly_cost", node, f"2x{N}"),
        inp("container_cpu_allocation", container("agents", "planner-1"), f"2x{N}"),
        inp("container_memory_allocation_bytes", container("agents", "planner-1"), f"{4 * GIB}x{N}"),
        inp("container_cpu_allocation", container("ci", "job-1"), "1x30 stale"),  # gone after 30 minutes
        inp("container_gpu_allocation", container("ci", "trainer-1"), f"1x{N}"),
        inp("kube_persistentvolumeclaim_info", claim, f"1x{N}"),
        inp("kube_persistentvolume_capacity_bytes", {"persistentvolume": "pv-1", **KSM}, f"{10 * GIB}x{N}"),
        inp("pv_hourly_cost", {"persistentvolume": "pv-1", "volumename": "pv-1", **KUBECOST}, f"0.0001x{N}"),
    ]
    day, ci_job = 15 / 12, 7 / 12  # hours of the day so far
    hourly = {"cpu": 2 * 0.04, "memory": 4 * 0.005, "gpu": 0.9, "storage": 10 * 0.0001}
    agents = (hourly["cpu"] + hourly["memory"] + hourly["storage"]) * day
    ci = 1 * 0.04 * ci_job + hourly["gpu"] * day
    in_range = 13 / 12  # the last hour ($__range): samples 10m ... 70m
    run(
        tmp_path,
        input_series,
        [
            micro(
                query("Cost Summary", "Daily cost by namespace"),
                [({"namespace": "agents"}, agents), ({"namespace": "ci"}, ci)],
            ),
            micro(
                query("Cost Summary", "Daily cost by resource"),
                [
                    ({"resource": "cpu"}, hourly["cpu"] * day + 0.04 * ci_job),
                    ({"resource": "memory"}, hourly["memory"] * day),
                    ({"resource": "gpu"}, hourly["gpu"] * day),
                    ({"resource": "storage"}, hourly["storage"] * day),
                ],
            ),
            micro(
                query("Cost Summary", "Spent over the time range"),
                [
                    ({"namespace": "agents"}, (hourly["cpu"] + hourly["memory"] + hourly["storage"]) * in_range),
                    ({"namespace": "ci"}, 0.04 * 5 / 12 + hourly["gpu"] * in_range),
                ],
            ),
            micro(query("Cost Summary", "Cluster cost in the last 24 hours"), [({}, 2 * day)]),
        ],
    )


def micro(expr: str, expected: list[tuple[dict[str, str], float]]) -> tuple[str, list[dict]]:
    """A check in millionths of a dollar, rounded: sums of prices are not exact in binary."""
    return f"round(({expr}) * 1e6)", [out(labels, round(value * 1e6)) for labels, value in expected]
