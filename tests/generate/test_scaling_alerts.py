"""What scaling cannot absorb: ReplicasAtMax at the effective maximum (KEDA runs no more
consumers than the topic has partitions) and slo.backlog's default, the lag at which KEDA
would want more replicas than it can run (model.default_backlog, schema.BACKLOG_DEFAULT).
promtool proves the rules fire where they should."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsgen import conventions as conv
from opsgen import pipeline
from opsgen.catalogue import model, schema
from opsgen.generate import alerting
from opsgen.generate.dashboards import kafka_lag
from tests import prom_tools

CATALOGUE = """\
platform:
  name: demo
  kafka: {bootstrapServers: kafka.kafka.svc:9092}
environments: {dev: {}, prod: {}}
services:
  - name: capped           # 4 partitions: KEDA never runs more than 4 of its 10 replicas
    namespace: apps
    team: core
    scaling:
      maxReplicas: 10
      kafka: {topic: jobs, lagThreshold: 200, partitions: 4}
    environments:
      dev: {scaling: {kafka: {partitions: 12}}}
  - name: roomy            # 20 partitions, 8 replicas: maxReplicas is the limit
    namespace: apps
    team: core
    scaling:
      maxReplicas: 8
      kafka: {topic: events, lagThreshold: 50, partitions: 20}
  - name: unknown          # partitions not given: maxReplicas is all opsgen knows
    namespace: apps
    team: core
    scaling:
      maxReplicas: 5
      kafka: {topic: misc, lagThreshold: 10}
    slo: {backlog: 7}
  - name: pinned           # minReplicas at the partition count: always at the maximum
    namespace: apps
    team: core
    scaling:
      minReplicas: 3
      maxReplicas: 6
      kafka: {topic: few, lagThreshold: 10, partitions: 3}
"""


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> model.Catalogue:
    path: Path = tmp_path_factory.mktemp("scaling") / "services.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    return pipeline.load_valid(str(path))


def service(catalogue, name: str, env: str = "prod") -> model.Service:
    (environment,) = [e for e in catalogue.environments if e.name == env]
    (found,) = [s for s in environment.services if s.name == name]
    return found


def alert(svc: model.Service, name: str) -> model.Alert | None:
    return next((a for a in alerting.generated_alerts(svc, model.Platform("demo")) if a.name == name), None)


def test_the_effective_maximum(catalogue):
    assert service(catalogue, "capped").scaling.effective_max_replicas == 4
    assert service(catalogue, "capped", "dev").scaling.effective_max_replicas == 10
    assert service(catalogue, "roomy").scaling.effective_max_replicas == 8
    assert service(catalogue, "unknown").scaling.effective_max_replicas == 5


def test_the_default_backlog_is_what_scaling_cannot_absorb(catalogue):
    assert service(catalogue, "capped").slo.backlog == 4 * 200  # partitions x lagThreshold
    assert service(catalogue, "capped", "dev").slo.backlog == 10 * 200  # maxReplicas x lagThreshold
    assert service(catalogue, "roomy").slo.backlog == 8 * 50
    assert service(catalogue, "unknown").slo.backlog == 7  # written: kept


def test_replicas_at_max_writes_the_partition_cap_into_the_rule(catalogue):
    capped = alert(service(catalogue, "capped"), conv.ALERT_AT_MAX)
    assert capped.expr.endswith(" >= 4") and "spec_max_replicas" not in capped.expr
    assert "partitions of jobs" in capped.description
    for name in ("roomy", "unknown"):  # not capped: the HPA's own maximum, as kube-state-metrics reports it
        assert (
            "kube_horizontalpodautoscaler_spec_max_replicas" in alert(service(catalogue, name), conv.ALERT_AT_MAX).expr
        )
    assert "spec_max_replicas" in alert(service(catalogue, "capped", "dev"), conv.ALERT_AT_MAX).expr


def test_no_replicas_at_max_for_a_service_always_at_its_effective_maximum(catalogue):
    assert alert(service(catalogue, "pinned"), conv.ALERT_AT_MAX) is None


def test_a_max_replicas_beyond_the_partitions_is_a_located_warning(catalogue):
    shown = [str(w) for w in catalogue.warnings]
    assert len(shown) == 2, shown
    capped, pinned = shown
    assert capped.endswith(
        ":10:7: scaling.maxReplicas (10) is more than scaling.kafka.partitions (4): KEDA runs at most one consumer "
        "per partition, so the service never scales past 4 replicas (ReplicasAtMax fires at 4) (in environment prod)"
    )
    assert (
        ":32:7: scaling.maxReplicas (6) is more than scaling.kafka.partitions (3)" in pinned
    )  # every environment: said once


def test_the_dashboard_says_the_schemas_default():
    assert schema.BACKLOG_DEFAULT in kafka_lag.backlog_panel().build().description
    assert schema.BACKLOG_DEFAULT in schema.SLO["properties"]["backlog"]["description"]


def current_and_max(svc: model.Service, current: int, n: int) -> list[dict[str, str]]:
    hpa = {"namespace": svc.namespace, "horizontalpodautoscaler": conv.hpa_name(svc), "job": "kube-state-metrics"}
    return [
        {
            "series": alerting.selector("kube_horizontalpodautoscaler_status_current_replicas", hpa),
            "values": f"{current}x{n}",
        },
        {
            "series": alerting.selector("kube_horizontalpodautoscaler_spec_max_replicas", hpa),
            "values": f"{svc.scaling.max_replicas}x{n}",
        },
    ]


@prom_tools.needs_promtool
@pytest.mark.parametrize("current, fires", [(4, True), (3, False)])
def test_replicas_at_max_fires_at_the_partition_count_that_keda_caps_at(catalogue, tmp_path, current, fires):
    """KEDA's HPA says maxReplicas 10 and runs 4: ReplicasAtMax fires (kube-prometheus-stack's
    KubeHpaMaxedOut, comparing with the spec max, never would)."""
    svc = service(catalogue, "capped")
    env = next(e for e in catalogue.environments if e.name == "prod")
    (rule,) = [
        alerting.rule(a, env, catalogue.platform, svc)
        for a in alerting.generated_alerts(svc, catalogue.platform)
        if a.name == conv.ALERT_AT_MAX
    ]
    rules = {"groups": [{"name": "at-max", "rules": [{k: v for k, v in rule.to_json().items() if k != "annotations"}]}]}
    labels = {
        "namespace": svc.namespace,
        "horizontalpodautoscaler": conv.hpa_name(svc),
        "job": "kube-state-metrics",
        **rule.labels,
    }
    expected = [{"exp_labels": labels}] if fires else []
    check = {"eval_time": "20m", "alertname": conv.ALERT_AT_MAX, "exp_alerts": expected}
    tests = [{"interval": "1m", "input_series": current_and_max(svc, current, 30), "alert_rule_test": [check]}]
    result = prom_tools.test_rules(rules, tests, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
