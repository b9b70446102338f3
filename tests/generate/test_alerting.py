"""Alert rules and routing, proven with the real engines.

- every generated rule group passes ``promtool check rules``;
- every generated alert kind gets a generated ``promtool test rules`` unit test
  (``SCENARIOS``: input series per kind): it fires once its condition has held
  for ``for``, is still pending one minute earlier, and stays quiet just below
  its threshold;
- the routing, rendered as the Alertmanager config the operator produces,
  passes ``amtool check-config`` and routes each severity to its receiver;
- invalid alerts are located errors with exact messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import yaml

from opsgen import conventions as conv
from opsgen import durations, pipeline
from opsgen.catalogue import generated_alerts, promql
from opsgen.catalogue.model import Environment, Platform, Service, Slo
from opsgen.errors import CatalogueError
from opsgen.generate import alerting, routing, slo
from opsgen.generate import latency as latency_rules
from tests import prom_tools
from tests.conftest import BUNDLED
from tests.support import manifests
from tests.support.operator import operator_config

CATALOGUE = """\
platform:
  name: demo
  kafka: {bootstrapServers: kafka.kafka.svc:9092}
  runbookBaseUrl: https://runbooks.example.com/demo/
  alerting:
    page: {pagerduty: {secret: pd, key: routing-key}}
    warn: {slack: {secret: slack, key: url, channel: "#demo"}}
environments:
  dev: {maxSeverity: warn}
  prod: {}
services:
  - name: worker
    namespace: apps
    team: core
    metrics: {port: http}
    scaling:
      maxReplicas: 4
      kafka: {topic: jobs, lagThreshold: 10}
    slo: {successRate: 95, latencyP95: 2s, backlog: 100}
    alerts:
      - name: WorkerStuck
        expr: sum(rate(agent_tasks_total{service="worker"}[10m])) == 0
        for: 30m
        severity: page
        summary: worker does nothing.
        runbook: https://wiki.example.com/worker-stuck
        labels: {tier: backend}
  - name: api
    namespace: apps
    team: web
    metrics: {port: http}
    scaling:
      minReplicas: 2
      maxReplicas: 6
      cpu: {targetUtilization: 60}
    slo: {successRate: 99.9, latency: {threshold: 500ms, objective: 99.5}}
  - name: zero
    namespace: batch
    team: core
    metrics: {port: http}
    scaling:
      minReplicas: 0
      maxReplicas: 3
      kafka: {topic: batch, lagThreshold: 5}
alerts:
  - name: ClusterNoisy
    expr: sum(rate(kube_pod_container_status_restarts_total[15m])) > 1
    for: 15m
    severity: warn
    summary: Containers restart.
"""


@pytest.fixture(scope="module")
def catalogue_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("alerting") / "services.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def catalogue(catalogue_path):
    return pipeline.load_valid(str(catalogue_path))


def env(catalogue, name: str) -> Environment:
    return next(e for e in catalogue.environments if e.name == name)


def service(catalogue, name: str, env_name: str = "prod") -> Service:
    return next(s for s in env(catalogue, env_name).services if s.name == name)


def documents(path: Path) -> list[tuple[str, dict]]:
    rendered = pipeline.synthesize(pipeline.load_valid(str(path)))
    return [(name, doc) for name, data in rendered.files.items() for doc in yaml.safe_load_all(data) if doc]


def of_kind(docs: list[tuple[str, dict]], kind: str) -> list[tuple[str, dict]]:
    return [(name, doc) for name, doc in docs if doc["kind"] == kind]


@pytest.fixture(scope="module")
def demo_docs(catalogue_path):
    return documents(catalogue_path)


@pytest.fixture(scope="module")
def bundled_docs():
    return documents(BUNDLED)


# --- what is generated -----------------------------------------------------


def test_files_and_objects(demo_docs):
    rules = {name: doc["metadata"] for name, doc in of_kind(demo_docs, "PrometheusRule")}
    assert rules["prod/apps/worker.yaml"]["name"] == "worker-alerts"
    assert rules["prod/apps/worker.yaml"]["labels"]["release"] == "prometheus"
    assert rules["prod/apps/worker.yaml"]["labels"]["team"] == "core"
    assert rules["prod/monitoring/_alerts.yaml"] == {
        "name": "demo-platform-alerts",
        "namespace": "monitoring",
        "labels": {
            "app.kubernetes.io/component": "alerts",
            "app.kubernetes.io/managed-by": "opsgen",
            "app.kubernetes.io/name": "demo",
            "app.kubernetes.io/part-of": "demo",
            "release": "prometheus",
            "team": "platform",
        },
        "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
    }
    (routing_file,) = [name for name, _ in of_kind(demo_docs, "AlertmanagerConfig") if name.startswith("prod/")]
    assert routing_file == "prod/monitoring/_routing.yaml"


def test_every_object_is_valid_against_its_crd(demo_docs, bundled_docs):
    for name, doc in of_kind(demo_docs + bundled_docs, "PrometheusRule") + of_kind(
        demo_docs + bundled_docs, "AlertmanagerConfig"
    ):
        manifests.assert_valid(doc, name)


def alerts_of(docs, path: str) -> dict[str, dict]:
    (doc,) = [d for name, d in docs if name == path and d["kind"] == "PrometheusRule"]
    return {r["alert"]: r for g in doc["spec"]["groups"] for r in g["rules"] if "alert" in r}


def test_generated_alert_kinds_per_service(demo_docs):
    assert list(alerts_of(demo_docs, "prod/apps/worker.yaml")) == [
        "ErrorBudgetBurnFast",
        "ErrorBudgetBurnSlow",
        "LatencyP95High",
        "KafkaBacklogHigh",
        "MetricsTargetDown",
        "SLOMetricAbsent",
        "ReplicasAtMax",
        "KedaScalerErrors",
        "WorkerStuck",
    ]
    assert list(alerts_of(demo_docs, "prod/apps/api.yaml")) == [
        "ErrorBudgetBurnFast",
        "ErrorBudgetBurnSlow",
        "LatencyBudgetBurnFast",
        "LatencyBudgetBurnSlow",
        "MetricsTargetDown",
        "SLOMetricAbsent",
        "ReplicasAtMax",
    ]
    assert "SLOMetricAbsent" not in alerts_of(demo_docs, "prod/batch/zero.yaml")  # no SLO on its own metrics


def test_labels_annotations_and_runbooks(demo_docs):
    worker = alerts_of(demo_docs, "prod/apps/worker.yaml")
    assert worker["ErrorBudgetBurnFast"]["labels"] == {
        "severity": "page",
        "team": "core",
        "namespace": "apps",
        "service": "worker",
    }
    assert (
        worker["ErrorBudgetBurnFast"]["annotations"]["runbook_url"]
        == "https://runbooks.example.com/demo/errorbudgetburnfast"
    )
    assert worker["WorkerStuck"]["labels"] == {
        "tier": "backend",
        "severity": "page",
        "team": "core",
        "namespace": "apps",
        "service": "worker",
    }
    assert worker["WorkerStuck"]["annotations"] == {
        "summary": "worker does nothing.",
        "runbook_url": "https://wiki.example.com/worker-stuck",
    }
    assert "{{ $value" in worker["KafkaBacklogHigh"]["annotations"]["description"]
    platform = alerts_of(demo_docs, "prod/monitoring/_alerts.yaml")["ClusterNoisy"]
    assert platform["labels"] == {"severity": "warn"}  # no team unless the alert names one, no service


def test_severity_is_lowered_to_the_environments_maximum(demo_docs):
    dev = alerts_of(demo_docs, "dev/apps/worker.yaml")
    assert {r["labels"]["severity"] for r in dev.values()} == {"warn"}
    assert dev["WorkerStuck"]["labels"]["severity"] == "warn"
    assert alerts_of(demo_docs, "prod/apps/worker.yaml")["WorkerStuck"]["labels"]["severity"] == "page"


def test_slo_metric_absent_waits_as_long_as_an_outage_takes_to_page(demo_docs, catalogue):
    """As Pyrra: as long as a total outage takes to page (burn.plan), in whole minutes up
    (95%: 30m window at 0.15, 4.5m + 4.5m of delays; 99.9%: 1h at 0.0144, 52s + 4.5m), the
    soonest of the service's SLO alerts."""
    assert alerts_of(demo_docs, "prod/apps/worker.yaml")["SLOMetricAbsent"]["for"] == "9m"
    assert alerts_of(demo_docs, "prod/apps/api.yaml")["SLOMetricAbsent"]["for"] == "6m"
    latency_only = replace(service(catalogue, "worker"), slo=Slo(latency_p95="2s"))
    assert alerting.absent_for(latency_only, catalogue.platform) == "10m"
    worker = alerts_of(demo_docs, "prod/apps/worker.yaml")["SLOMetricAbsent"]
    assert worker["labels"]["severity"] == "warn"
    assert worker["annotations"]["runbook_url"] == "https://runbooks.example.com/demo/slometricabsent"


def test_hpa_names_follow_who_creates_the_hpa(demo_docs):
    assert (
        'horizontalpodautoscaler="keda-hpa-worker"'
        in alerts_of(demo_docs, "prod/apps/worker.yaml")["ReplicasAtMax"]["expr"]
    )
    assert 'horizontalpodautoscaler="api"' in alerts_of(demo_docs, "prod/apps/api.yaml")["ReplicasAtMax"]["expr"]


def test_a_service_that_may_scale_to_zero_is_not_absent_when_it_has_no_target(demo_docs):
    assert "absent(" not in alerts_of(demo_docs, "prod/batch/zero.yaml")["MetricsTargetDown"]["expr"]
    assert "absent(" in alerts_of(demo_docs, "prod/apps/worker.yaml")["MetricsTargetDown"]["expr"]


def test_generated_expressions_name_only_known_metrics(catalogue, catalogue_path):
    known = promql.known_metrics(catalogue, str(catalogue_path.parent))
    for environment in catalogue.environments:
        for svc in environment.services:
            for group in alerting.service_groups(svc, environment, catalogue.platform):
                for rule in group.rules:
                    assert promql.check_expr(rule.expr, known, rule.alert or rule.record) == []


def test_no_routing_and_no_platform_rules_when_not_configured(write_catalogue):
    text = "platform: {name: bare}\nservices:\n  - {name: a, namespace: n, team: t}\n"
    docs = documents(write_catalogue(text))
    assert not {doc["kind"] for _, doc in docs} & {"PrometheusRule", "AlertmanagerConfig"}


# --- promtool check rules --------------------------------------------------


@prom_tools.needs_promtool
@pytest.mark.parametrize("which", ["demo", "bundled"])
def test_every_rule_group_passes_promtool_check(which, demo_docs, bundled_docs, tmp_path):
    docs = demo_docs if which == "demo" else bundled_docs
    rules = of_kind(docs, "PrometheusRule")
    assert rules
    for name, doc in rules:
        result = prom_tools.check_rules(doc["spec"], tmp_path)
        assert result.returncode == 0, f"{name}: {prom_tools.output(result)}"


# --- promtool test rules: one generated unit test per alert kind -----------

Series = list[tuple[dict[str, str], str]]  # (labels incl. __name__, promtool values)
Make = Callable[[Service, int], Series]


@dataclass(frozen=True)
class Scenario:
    """alert: which alert; service: of the demo catalogue.
    firing: series under which the condition holds from (almost) t=0 (None: never meant to fire).
    quiet: series just below the threshold (or otherwise fine).
    kept: labels of the input series the firing alert keeps."""

    alert: str
    service: str
    firing: Make | None
    quiet: Make
    kept: Callable[[Service], dict[str, str]]
    variant: str = ""


def ident(svc: Service) -> dict[str, str]:
    return {"namespace": svc.namespace, "service": svc.name}


def slo_ident(svc: Service) -> dict[str, str]:
    """What burn alerts keep of the error-ratio records: identity and Sloth's SLO labels."""
    return {
        **ident(svc),
        "sloth_id": f"{svc.namespace}/{svc.name}/success-rate",
        "sloth_service": f"{svc.namespace}/{svc.name}",
        "sloth_slo": "success-rate",
    }


def tasks(ratio: float) -> Make:
    """100 tasks a minute, ``ratio`` of them failed."""

    def make(svc: Service, n: int) -> Series:
        failed = round(100 * ratio, 3)
        return [
            ({"__name__": "agent_tasks_total", **ident(svc), "outcome": "failure"}, f"0+{failed}x{n}"),
            ({"__name__": "agent_tasks_total", **ident(svc), "outcome": "success"}, f"0+{100 - failed}x{n}"),
        ]

    return make


def burn_ratio(name: str, svc: Service, pick: Callable, scale: float) -> float:
    plan = slo.plan(svc, Platform("demo"))  # the demo's period: the default 30d
    thresholds = [c.threshold for c in plan.conditions if c.alert == name]
    return min(1.0, scale * pick(thresholds))


def burn(name: str, svc: str) -> Scenario:
    """Fires above the highest threshold of its window pairs, quiet at half the lowest."""

    def firing(s: Service, n: int) -> Series:
        return tasks(burn_ratio(name, s, max, 1.2))(s, n)

    def quiet(s: Service, n: int) -> Series:
        return tasks(burn_ratio(name, s, min, 0.5))(s, n)

    return Scenario(name, svc, firing, quiet, slo_ident, svc)


def latency_slo_ident(svc: Service) -> dict[str, str]:
    """What the latency burn alerts keep: identity and the latency SLO's Sloth labels."""
    return {
        **ident(svc),
        "sloth_id": f"{svc.namespace}/{svc.name}/latency",
        "sloth_service": f"{svc.namespace}/{svc.name}",
        "sloth_slo": "latency",
    }


def requests(slow: float) -> Make:
    """100 requests a minute, ``slow`` of them slower than slo.latency.threshold (its
    bucket's ``le`` as prometheus_client writes it)."""

    def make(svc: Service, n: int) -> Series:
        within = round(100 * (1 - slow), 3)
        bucket = {"__name__": "agent_task_duration_seconds_bucket", **ident(svc)}
        le = repr(durations.seconds(svc.slo.latency.threshold))
        return [
            ({**bucket, "le": le}, f"0+{within}x{n}"),
            ({**bucket, "le": "+Inf"}, f"0+100x{n}"),
            ({"__name__": "agent_task_duration_seconds_count", **ident(svc)}, f"0+100x{n}"),
        ]

    return make


def latency_burn(name: str, svc: str) -> Scenario:
    """Fires above the highest threshold of its window pairs, quiet at half the lowest."""

    def ratio(s: Service, pick: Callable, scale: float) -> float:
        return min(1.0, scale * pick(c.threshold for c in latency_rules.conditions(s, Platform("demo"), name)))

    def firing(s: Service, n: int) -> Series:
        return requests(ratio(s, max, 1.2))(s, n)

    def quiet(s: Service, n: int) -> Series:
        return requests(ratio(s, min, 0.5))(s, n)

    return Scenario(name, svc, firing, quiet, latency_slo_ident, svc)


def latency(fast: bool, go: bool = False) -> Make:
    """Every task in the bucket at half the SLO (fast) or in the one above it (slow), with
    the SLO's own bucket, ``le`` as prometheus_client writes it ("2.0") or Go's client ("2")."""

    def make(svc: Service, n: int) -> Series:
        limit = durations.seconds(svc.slo.latency_p95 or "0s")
        bucket = {"__name__": "agent_task_duration_seconds_bucket", **ident(svc)}
        spell = alerting.number if go else repr
        within = "0+10" if fast else "0+0"
        counts = {spell(limit / 2): within, spell(limit): within, spell(2 * limit): "0+10", "+Inf": "0+10"}
        count = ({"__name__": "agent_task_duration_seconds_count", **ident(svc)}, f"0+10x{n}")
        return [({**bucket, "le": le}, f"{c}x{n}") for le, c in counts.items()] + [count]

    return make


def lag(factor: float, uncommitted: int = 0) -> Make:
    """One partition ``factor`` x the backlog behind; ``uncommitted`` more partitions the
    group never committed, which kafka_exporter v1.9.0 reports as lag -1."""

    def make(svc: Service, n: int) -> Series:
        kafka = svc.scaling.kafka
        labels = {"__name__": "kafka_consumergroup_lag", "consumergroup": kafka.consumer_group, "topic": kafka.topic}
        value = int((svc.slo.backlog or 0) * factor)
        partitions = [(str(p + 1), "-1") for p in range(uncommitted)]
        return [
            ({**labels, "partition": p, "job": "kafka-exporter"}, f"{v}x{n}")
            for p, v in [("0", str(value)), *partitions]
        ]

    return make


UP_LABELS = {"job": "worker", "instance": "10.0.0.1:8080", "pod": "worker-0"}


def up(value: int | None) -> Make:
    def make(svc: Service, n: int) -> Series:
        return [] if value is None else [({"__name__": "up", **ident(svc), **UP_LABELS}, f"{value}x{n}")]

    return make


def sli(
    tasks_metric: str = "agent_tasks_total",
    outcome_label: str = "outcome",
    buckets: bool = True,
    up_value: int | None = 1,
    les: tuple[str, ...] = ("2.0", "10.0", "+Inf"),
) -> Make:
    """The series a healthy prometheus_client agent exports (successes only: no failure
    series), under the given metric and label names, with its scrape target's ``up``;
    ``les``: the histogram's buckets (worker's latencyP95 is 2s)."""

    def make(svc: Service, n: int) -> Series:
        target = {**ident(svc), **UP_LABELS}
        out = [({"__name__": tasks_metric, **target, outcome_label: "success"}, f"0+100x{n}")]
        if buckets:
            out += [
                ({"__name__": "agent_task_duration_seconds_bucket", **target, "le": le}, f"0+100x{n}") for le in les
            ]
            out.append(({"__name__": "agent_task_duration_seconds_count", **target}, f"0+100x{n}"))
        return out + up(up_value)(svc, n)

    return make


def hpa_labels(svc: Service) -> dict[str, str]:
    return {"namespace": svc.namespace, "horizontalpodautoscaler": conv.hpa_name(svc)}


def hpa_series(svc: Service) -> dict[str, str]:
    return {**hpa_labels(svc), "job": "kube-state-metrics", "instance": "ksm:8080"}


def replicas(below_max: int) -> Make:
    def make(svc: Service, n: int) -> Series:
        top = svc.scaling.max_replicas
        return [
            (
                {"__name__": "kube_horizontalpodautoscaler_status_current_replicas", **hpa_series(svc)},
                f"{top - below_max}x{n}",
            ),
            ({"__name__": "kube_horizontalpodautoscaler_spec_max_replicas", **hpa_series(svc)}, f"{top}x{n}"),
        ]

    return make


def keda_errors(increasing: bool, honor_labels: bool) -> Make:
    def make(svc: Service, n: int) -> Series:
        where = (
            {"namespace": svc.namespace} if honor_labels else {"exported_namespace": svc.namespace, "namespace": "keda"}
        )
        labels = {"__name__": "keda_scaler_errors", **where, "scaledObject": svc.name, "scaler": "kafkaScaler"}
        other = {**labels, "scaledObject": "someone-else"}  # another ScaledObject's errors are not ours
        return [(labels, f"0+3x{n}" if increasing else f"5x{n}"), (other, f"0+7x{n}")]

    return make


SCENARIOS = [
    burn(conv.ALERT_BURN_FAST, "worker"),
    burn(conv.ALERT_BURN_FAST, "api"),
    burn(conv.ALERT_BURN_SLOW, "worker"),
    burn(conv.ALERT_BURN_SLOW, "api"),
    Scenario(conv.ALERT_LATENCY, "worker", latency(fast=False), latency(fast=True), ident),
    latency_burn(conv.ALERT_LATENCY_BURN_FAST, "api"),
    latency_burn(conv.ALERT_LATENCY_BURN_SLOW, "api"),
    Scenario(conv.ALERT_LATENCY, "worker", latency(fast=False, go=True), latency(fast=True, go=True), ident, "go-le"),
    Scenario(conv.ALERT_BACKLOG, "worker", lag(2), lag(1), lambda s: {"consumergroup": "worker", "topic": "jobs"}),
    # 101 behind on one partition, two never committed (-1 each): behind, not 99
    Scenario(
        conv.ALERT_BACKLOG,
        "worker",
        lag(1.01, 2),
        lag(1, 2),
        lambda s: {"consumergroup": "worker", "topic": "jobs"},
        "uncommitted",
    ),
    Scenario(conv.ALERT_TARGET_DOWN, "worker", up(0), up(1), lambda s: {**ident(s), **UP_LABELS}, "down"),
    Scenario(conv.ALERT_TARGET_DOWN, "worker", up(None), up(1), ident, "absent"),
    Scenario(conv.ALERT_TARGET_DOWN, "zero", None, up(None), ident, "scaled-to-zero"),
    # `on (namespace, horizontalpodautoscaler)` keeps only those labels of the series
    Scenario(conv.ALERT_AT_MAX, "worker", replicas(0), replicas(1), hpa_labels, "keda"),
    Scenario(conv.ALERT_AT_MAX, "api", replicas(0), replicas(1), hpa_labels, "hpa"),
    Scenario(
        conv.ALERT_KEDA_ERRORS, "worker", keda_errors(True, False), keda_errors(False, False), lambda s: {}, "exported"
    ),
    Scenario(
        conv.ALERT_KEDA_ERRORS,
        "worker",
        keda_errors(True, True),
        keda_errors(False, True),
        lambda s: {},
        "honor-labels",
    ),
    # the target is up and healthy (no failure series) vs. it renamed what the SLOs read
    Scenario(conv.ALERT_SLO_METRIC_ABSENT, "worker", sli("agent_task_total"), sli(), ident, "renamed-metric"),
    Scenario(conv.ALERT_SLO_METRIC_ABSENT, "worker", sli(outcome_label="result"), sli(), ident, "renamed-label"),
    Scenario(conv.ALERT_SLO_METRIC_ABSENT, "worker", sli(buckets=False), sli(), ident, "no-histogram"),
    # buckets without the latencyP95 bound: the exact share cannot be read
    Scenario(conv.ALERT_SLO_METRIC_ABSENT, "worker", sli(les=("2.5", "10.0", "+Inf")), sli(), ident, "no-slo-bucket"),
    Scenario(
        conv.ALERT_SLO_METRIC_ABSENT,
        "api",
        sli(les=("0.25", "+Inf")),
        sli(les=("0.5", "+Inf")),
        ident,
        "latency-slo-bucket",
    ),
    # a target that is down, or none at all: MetricsTargetDown's business, not this alert's
    Scenario(conv.ALERT_SLO_METRIC_ABSENT, "worker", None, sli("agent_task_total", up_value=0), ident, "target-down"),
    Scenario(conv.ALERT_SLO_METRIC_ABSENT, "worker", None, sli("agent_task_total", up_value=None), ident, "no-target"),
]


def test_every_generated_alert_kind_has_a_scenario():
    assert {s.alert for s in SCENARIOS if s.firing} == set(generated_alerts.NAMES) == set(alerting.BUILDERS)


def series_text(labels: dict[str, str]) -> str:
    name = labels["__name__"]
    return alerting.selector(name, {k: v for k, v in labels.items() if k != "__name__"})


def input_series(series: Series) -> list[dict[str, str]]:
    return [{"series": series_text(labels), "values": values} for labels, values in series]


def rule_file(svc: Service, environment: Environment, platform) -> tuple[dict, dict[str, dict]]:
    """The service's rule groups without annotations (their templates are checked
    by promtool check rules; here only when alerts fire matters), and its alerts by name."""
    groups = [g.to_json() for g in alerting.service_groups(svc, environment, platform)]
    for group in groups:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    return {"groups": groups}, {r["alert"]: r for g in groups for r in g["rules"] if "alert" in r}


def unit_tests(scenario: Scenario, svc: Service, rule: dict) -> list[dict]:
    wait = int(durations.seconds(rule.get("for", "0s")) // 60)
    n = wait + 20
    expected = [{"exp_labels": {**scenario.kept(svc), **rule["labels"]}}]
    tests = []
    if scenario.firing is not None:
        checks = [{"eval_time": f"{wait + 5}m", "alertname": scenario.alert, "exp_alerts": expected}]
        if wait:  # still pending a minute before `for` has elapsed
            checks.insert(0, {"eval_time": f"{wait - 1}m", "alertname": scenario.alert, "exp_alerts": []})
        tests.append(
            {"interval": "1m", "input_series": input_series(scenario.firing(svc, n)), "alert_rule_test": checks}
        )
    quiet = [{"eval_time": f"{wait + 5}m", "alertname": scenario.alert, "exp_alerts": []}]
    tests.append({"interval": "1m", "input_series": input_series(scenario.quiet(svc, n)), "alert_rule_test": quiet})
    return tests


@prom_tools.needs_promtool
@pytest.mark.parametrize(
    "scenario", SCENARIOS, ids=lambda s: f"{s.alert}-{s.service}{'-' + s.variant if s.variant else ''}"
)
def test_alert_fires_after_for_and_stays_quiet_below_threshold(scenario, catalogue, tmp_path):
    svc = service(catalogue, scenario.service)
    rules, alerts = rule_file(svc, env(catalogue, "prod"), catalogue.platform)
    result = prom_tools.test_rules(rules, unit_tests(scenario, svc, alerts[scenario.alert]), tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_fast_burn_stops_soon_after_the_burn_stops(catalogue, tmp_path):
    """The short windows reset the alert while the long ones are still above the threshold."""
    svc = service(catalogue, "worker")
    rules, alerts = rule_file(svc, env(catalogue, "prod"), catalogue.platform)
    failed = {"__name__": "agent_tasks_total", **ident(svc), "outcome": "failure"}
    ok = {**failed, "outcome": "success"}
    series = input_series([(failed, "0+90x60 5400+0x60"), (ok, "0+10x120")])
    fired = [{"exp_labels": {**slo_ident(svc), **alerts[conv.ALERT_BURN_FAST]["labels"]}}]
    checks = [
        {"eval_time": "60m", "alertname": conv.ALERT_BURN_FAST, "exp_alerts": fired},
        {"eval_time": "100m", "alertname": conv.ALERT_BURN_FAST, "exp_alerts": []},
    ]
    result = prom_tools.test_rules(
        rules, [{"interval": "1m", "input_series": series, "alert_rule_test": checks}], tmp_path
    )
    assert result.returncode == 0, prom_tools.output(result)


# --- routing ---------------------------------------------------------------


def test_routing_object_references_secrets_only(bundled_docs):
    (name, doc), *_ = of_kind(bundled_docs, "AlertmanagerConfig")
    receivers = {r["name"]: r for r in doc["spec"]["receivers"]}
    assert receivers["default"] == {"name": "default"}
    assert receivers["page"]["pagerdutyConfigs"][0]["routingKey"] == {
        "name": "alertmanager-pagerduty",
        "key": "routing-key",
    }
    assert receivers["warn"]["slackConfigs"][0]["apiURL"] == {"name": "alertmanager-slack", "key": "webhook-url"}
    assert receivers["warn"]["slackConfigs"][0]["channel"] == "#platform-alerts"
    assert doc["spec"]["inhibitRules"][0]["equal"] == ["namespace", "service"]


@prom_tools.needs_amtool
def test_operator_rendering_of_the_bundled_routing_passes_amtool(tmp_path):
    props = routing.routing_props(pipeline.load_valid(str(BUNDLED)).platform)
    config = operator_config(props)
    result = prom_tools.check_alertmanager(config, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
    prefix = "monitoring/self-healing-platform-routing/"
    for severity, receiver in (("page", "page"), ("warn", "warn"), ("info", "default")):
        labels = {"alertname": "X", "severity": severity, "namespace": "agents", "service": "coding-agent"}
        assert prom_tools.route(config, tmp_path, labels) == prefix + receiver


def test_only_the_configured_severities_are_routed(write_catalogue, tmp_path):
    text = CATALOGUE.replace('    warn: {slack: {secret: slack, key: url, channel: "#demo"}}\n', "")
    props = routing.routing_props(pipeline.load_valid(str(write_catalogue(text))).platform)
    assert [route.receiver for route in props.route_list()] == ["default", "page"]  # Watchdog/InfoInhibitor, then page
    assert [r.name for r in props.receivers] == ["default", "page"]


# --- invalid alerts: exact messages at exact places ------------------------


def problems_of(write_catalogue, text: str) -> list[str]:
    path = write_catalogue(text)
    with pytest.raises(CatalogueError) as info:
        pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in info.value.problems]


def test_unknown_metric_with_did_you_mean(write_catalogue):
    text = CATALOGUE.replace(
        "kube_pod_container_status_restarts_total[15m]", "kube_pod_container_status_restart_total[15m]"
    )
    assert problems_of(write_catalogue, text) == [
        "services.yaml:47:11: alerts[0].expr: unknown metric 'kube_pod_container_status_restart_total'; "
        "did you mean 'kube_pod_container_status_restarts_total'?"
    ]


def test_bad_promql_in_a_service_alert(write_catalogue):
    text = CATALOGUE.replace("[10m])) == 0", "[10m]) == 0")
    assert problems_of(write_catalogue, text) == [
        "services.yaml:22:15: alerts[0].expr: cannot parse PromQL: unclosed left parenthesis"
    ]


def test_every_problem_is_reported_once_across_environments(write_catalogue):
    text = CATALOGUE.replace("[10m])) == 0", "[10m]) == 0").replace("restarts_total[15m]", "restartz_total[15m]")
    assert len(problems_of(write_catalogue, text)) == 2


def test_missing_exposition_file(write_catalogue):
    text = CATALOGUE.replace(
        "metrics: {port: http}\n    scaling:\n      maxReplicas: 4",
        "metrics: {port: http, exposition: m/worker.prom}\n    scaling:\n      maxReplicas: 4",
    )
    assert problems_of(write_catalogue, text) == [
        "services.yaml:15:27: metrics.exposition: cannot read 'm/worker.prom': No such file or directory"
    ]


def test_label_missing_from_the_exposition(write_catalogue, tmp_path):
    (tmp_path / "worker.prom").write_text(
        '# TYPE worker_jobs_total counter\nworker_jobs_total{queue="a"} 1\n', encoding="utf-8"
    )
    text = CATALOGUE.replace(
        "metrics: {port: http}\n    scaling:\n      maxReplicas: 4",
        "metrics: {port: http, exposition: worker.prom}\n    scaling:\n      maxReplicas: 4",
    )
    text = text.replace('agent_tasks_total{service="worker"}', 'worker_jobs_total{queu="a"}')
    assert problems_of(write_catalogue, text) == [
        "services.yaml:22:15: alerts[0].expr: metric 'worker_jobs_total' has no label 'queu'; did you mean 'queue'?"
    ]


def test_catalogue_alert_may_not_take_a_generated_name(write_catalogue):
    text = CATALOGUE.replace("name: WorkerStuck", "name: KafkaBacklogHigh")
    assert problems_of(write_catalogue, text) == [
        "services.yaml:21:9: alerts[0].name: 'KafkaBacklogHigh' is the name of the alert opsgen generates from slo.backlog; "
        "rename this alert (or drop it and use the generated one)"
    ]


def test_bundled_catalogue_is_valid_with_the_files_beside_it():
    """The bundled catalogue names only exposition files under metrics/ beside it (its
    long-running agents declare their duration buckets there)."""
    catalogue = pipeline.load_valid(str(BUNDLED))
    known = promql.known_metrics(catalogue, str(BUNDLED.parent))
    assert known.problems == ()
    named = {
        s.metrics.exposition for e in catalogue.environments for s in e.services if s.metrics and s.metrics.exposition
    }
    assert named and all(path.startswith("metrics/") and (BUNDLED.parent / path).is_file() for path in named)
    assert promql.check_expr(catalogue.alerts[0].expr, known, "alerts[0].expr") == []


@prom_tools.needs_promtool
def test_bundled_pipeline_failure_alert_fires_on_regressions(tmp_path):
    """The bundled catalogue's own platform alert, tested like the generated ones."""
    catalogue = pipeline.load_valid(str(BUNDLED))
    (group,) = alerting.platform_groups(catalogue.alerts, env(catalogue, "prod"), catalogue.platform)
    rules = {"groups": [group.to_json()]}
    (rule,) = rules["groups"][0]["rules"]
    rule.pop("annotations")

    def stages(regress: int, done: int) -> list[dict[str, str]]:
        return input_series(
            [
                ({"__name__": "orch_stage_total", "stage": "regress"}, f"0+{regress}x40"),
                ({"__name__": "orch_stage_total", "stage": "done"}, f"0+{done}x40"),
            ]
        )

    fired = [{"exp_labels": rule["labels"]}]
    tests = [
        {
            "interval": "1m",
            "input_series": stages(1, 9),
            "alert_rule_test": [
                {"eval_time": "9m", "alertname": "HighPipelineFailureRate", "exp_alerts": []},
                {"eval_time": "15m", "alertname": "HighPipelineFailureRate", "exp_alerts": fired},
            ],
        },
        {
            "interval": "1m",
            "input_series": stages(1, 30),
            "alert_rule_test": [{"eval_time": "15m", "alertname": "HighPipelineFailureRate", "exp_alerts": []}],
        },
    ]
    result = prom_tools.test_rules(rules, tests, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


# --- catalogue records: what the dashboards join against ---------------------


def test_catalogue_records_per_service(demo_docs):
    """One group of constants, evaluated every 2m30s: Sloth's, the catalogue's, the dashboards'."""
    (doc,) = [d for name, d in demo_docs if name == "prod/apps/worker.yaml" and d["kind"] == "PrometheusRule"]
    (group,) = [g for g in doc["spec"]["groups"] if g["name"] == "demo.worker.catalogue"]
    ident_labels = {"namespace": "apps", "service": "worker"}
    assert group["interval"] == "2m30s"
    assert [r["record"] for r in group["rules"][:4]] == [
        "slo:objective:ratio",
        "slo:error_budget:ratio",
        "slo:time_period:days",
        "sloth_slo_info",
    ]
    assert group["rules"][4:] == [
        {"record": "opsgen:service_info", "expr": "vector(1)", "labels": {**ident_labels, "role": "service"}},
        {"record": "opsgen:slo_latency_p95:seconds", "expr": "vector(2)", "labels": ident_labels},
        {"record": "opsgen:kafka_lag_threshold", "expr": "vector(10)", "labels": ident_labels},
        {"record": "opsgen:kafka_backlog_threshold", "expr": "vector(100)", "labels": ident_labels},
        {
            "record": "opsgen:hpa_info",
            "expr": "vector(1)",
            "labels": {**ident_labels, "horizontalpodautoscaler": "keda-hpa-worker"},
        },
        {
            "record": "opsgen:kafka_consumer_info",
            "expr": "vector(1)",
            "labels": {**ident_labels, "consumergroup": "worker", "topic": "jobs"},
        },
        {"record": "opsgen:scaling_min_replicas", "expr": "vector(1)", "labels": ident_labels},
    ]
    (live,) = [g for g in doc["spec"]["groups"] if g["name"] == "demo.worker.sli"]
    assert "interval" not in live  # the cluster's evaluation interval: the first page pair reads it
    assert live["rules"][-1] == {
        "record": "opsgen:kafka_consumergroup_lag:sum",
        "expr": 'sum(kafka_consumergroup_lag{consumergroup="worker",topic="jobs"} >= 0)',
        "labels": ident_labels,
    }
    assert set(conv.CATALOGUE_RECORDS) <= set(conv.recorded_metrics(()))


def test_catalogue_records_follow_the_catalogue(catalogue):
    api = {r.record: dict(r.labels) for r in alerting.catalogue_rules(service(catalogue, "api"))}
    assert list(api) == ["opsgen:service_info", "opsgen:hpa_info"]
    assert api["opsgen:hpa_info"]["horizontalpodautoscaler"] == "api"  # opsgen's own HPA
    zero = [r.record for r in alerting.catalogue_rules(service(catalogue, "zero"))]
    assert "opsgen:kafka_backlog_threshold" in zero and "opsgen:slo_latency_p95:seconds" not in zero


def sample(name: str, labels: dict[str, str], value: float) -> dict:
    return {"labels": series_text({"__name__": name, **labels}), "value": value}


@prom_tools.needs_promtool
def test_catalogue_records_evaluate_as_labelled_constants(catalogue, tmp_path):
    """promtool: constants carry the service's identity; the lag is the consumer group's
    on its topic, summed over partitions, and nobody else's."""
    svc = service(catalogue, "worker")
    rules, _ = rule_file(svc, env(catalogue, "prod"), catalogue.platform)
    lag = {"__name__": "kafka_consumergroup_lag", "consumergroup": "worker", "topic": "jobs", "job": "kafka-exporter"}
    series = input_series(
        [
            ({**lag, "partition": "0"}, "30x10"),
            ({**lag, "partition": "1"}, "12x10"),
            ({**lag, "partition": "0", "consumergroup": "other"}, "1000x10"),
            ({**lag, "partition": "0", "topic": "elsewhere"}, "1000x10"),
        ]
    )
    me = ident(svc)

    def check(expr: str, *samples: dict) -> dict:
        return {"expr": expr, "eval_time": "5m", "exp_samples": list(samples)}

    checks = [
        check(conv.KAFKA_LAG_RECORD, sample(conv.KAFKA_LAG_RECORD, me, 42)),
        check(conv.KAFKA_LAG_THRESHOLD_RECORD, sample(conv.KAFKA_LAG_THRESHOLD_RECORD, me, 10)),
        check(conv.KAFKA_BACKLOG_RECORD, sample(conv.KAFKA_BACKLOG_RECORD, me, 100)),
        check(conv.SLO_LATENCY_RECORD, sample(conv.SLO_LATENCY_RECORD, me, 2)),
        check(conv.SERVICE_INFO_RECORD, sample(conv.SERVICE_INFO_RECORD, {**me, "role": "service"}, 1)),
        check(
            conv.HPA_INFO_RECORD, sample(conv.HPA_INFO_RECORD, {**me, "horizontalpodautoscaler": "keda-hpa-worker"}, 1)
        ),
    ]
    result = prom_tools.test_rules(
        rules, [{"interval": "1m", "input_series": series, "promql_expr_test": checks}], tmp_path
    )
    assert result.returncode == 0, prom_tools.output(result)


# --- the pipeline's stage order: what the Pipeline Funnel joins against --------


def test_pipeline_stages_in_the_platform_rule(demo_docs):
    """The demo's topics (jobs, batch) default to pipeline.topics: recorded first, then the alerts."""
    (doc,) = [d for name, d in demo_docs if name == "prod/monitoring/_alerts.yaml"]
    pipeline_group, alerts_group = doc["spec"]["groups"]
    assert alerts_group["name"] == "demo.platform.alerts"
    assert pipeline_group == {
        "name": "demo.platform.pipeline",
        "rules": [
            {"record": "opsgen:pipeline_stage:info", "expr": "vector(1)", "labels": {"topic": "jobs", "stage": "01"}},
            {"record": "opsgen:pipeline_stage:info", "expr": "vector(1)", "labels": {"topic": "batch", "stage": "02"}},
            {
                "record": "opsgen:pipeline_edge:info",
                "expr": "vector(1)",
                "labels": {"topic": "jobs", "next_topic": "batch"},
            },
        ],
    }
    assert set(conv.PIPELINE_RECORDS) <= set(conv.recorded_metrics(()))


def test_platform_rule_for_pipeline_topics_without_alerts(write_catalogue):
    ((name, doc),) = of_kind(documents(write_catalogue(VALID_WITH_PIPELINE)), "PrometheusRule")  # "a" has none
    assert name == "monitoring/_alerts.yaml" and doc["metadata"]["name"] == "demo-platform-alerts"
    (group,) = doc["spec"]["groups"]
    assert group["name"] == "demo.platform.pipeline"
    labels = [r["labels"] for r in group["rules"]]
    assert labels[:3] == [{"topic": t, "stage": s} for t, s in (("in", "01"), ("we.ird_-Topic", "02"), ("out", "03"))]
    assert labels[3:] == [
        {"topic": "in", "next_topic": "we.ird_-Topic"},
        {"topic": "we.ird_-Topic", "next_topic": "out"},
    ]
    manifests.assert_valid(doc, name)


VALID_WITH_PIPELINE = """\
platform: {name: demo, kafka: {bootstrapServers: "kafka.kafka.svc:9092"}}
services:
  - {name: a, namespace: n, team: t}
pipeline:
  topics: [in, 'we.ird_-Topic', out]
"""


def test_repeated_topics_keep_their_first_stage():
    rules = alerting.pipeline_rules(("a", "b", "a", "a", "c", "b"))
    stages = [dict(r.labels) for r in rules if r.record == conv.PIPELINE_STAGE_RECORD]
    edges = [(r.labels["topic"], r.labels["next_topic"]) for r in rules if r.record == conv.PIPELINE_EDGE_RECORD]
    assert stages == [{"topic": "a", "stage": "01"}, {"topic": "b", "stage": "02"}, {"topic": "c", "stage": "03"}]
    assert edges == [("a", "b"), ("b", "a"), ("a", "c"), ("c", "b")]  # once each, no a -> a


def test_stage_labels_sort_in_pipeline_order():
    labels = [conv.pipeline_stage(i, 120) for i in range(120)]
    assert labels[0] == "001" and labels == sorted(labels)
    assert [conv.pipeline_stage(i, 3) for i in range(3)] == ["01", "02", "03"]


@prom_tools.needs_promtool
def test_pipeline_rules_pass_promtool_with_free_text_topics(write_catalogue, tmp_path):
    ((_, doc),) = of_kind(documents(write_catalogue(VALID_WITH_PIPELINE)), "PrometheusRule")
    result = prom_tools.check_rules(doc["spec"], tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
