"""opsgen.catalogue.objects: object names and alert names unique per environment;
validate: labels opsgen sets are not silently overwritten (issue 14)."""

from __future__ import annotations

import textwrap

import pytest

from opsgen.catalogue import load, model, objects, validate
from opsgen.errors import CatalogueError

BASE = """\
platform:
  name: demo
  kafka: {bootstrapServers: "kafka.kafka.svc:9092"}
environments: {dev: {}, prod: {}}
services:
  - name: worker
    namespace: apps
    team: core
    metrics: {port: http}
    scaling: {maxReplicas: 7, kafka: {topic: jobs, lagThreshold: 10}}
    alerts:
      - {name: WorkerDown, expr: up == 0, severity: warn, summary: s}
"""


def problems(text: str) -> list[str]:
    doc = load.load_text(textwrap.dedent(text), "services.yaml")
    with pytest.raises(CatalogueError) as caught:
        validate.validate(doc)
        objects.check(model.build(doc))
    return [str(p) for p in caught.value.problems]


def test_a_cpu_service_named_like_the_hpa_keda_creates_is_refused():
    text = (
        BASE
        + "  - {name: keda-hpa-worker, namespace: apps, team: core, scaling: {maxReplicas: 3, cpu: {targetUtilization: 50}}}\n"
    )
    assert problems(text) == [
        "services.yaml:13:6: service 'keda-hpa-worker' needs the HorizontalPodAutoscaler apps/keda-hpa-worker, "
        "which the HPA KEDA creates for service 'worker' (line 6) already uses; rename the service"
    ]


def test_in_another_namespace_it_is_fine():
    text = (
        BASE
        + "  - {name: keda-hpa-worker, namespace: other, team: core, scaling: {maxReplicas: 3, cpu: {targetUtilization: 50}}}\n"
    )
    objects.check(model.build(load.load_text(text, "services.yaml")))


def test_a_service_named_like_a_platform_object_is_refused():
    text = BASE + "  - {name: demo-platform, namespace: monitoring, team: core, metrics: {port: http}}\n"
    text += "alerts:\n  - {name: Top, expr: up == 0, severity: warn, summary: s}\n"
    assert problems(text) == [
        "services.yaml:13:6: service 'demo-platform' needs the PrometheusRule monitoring/demo-platform-alerts, "
        "which the platform's alert rules already uses; rename the service"
    ]


def test_an_override_may_not_reuse_an_alert_name():
    text = BASE + (
        "  - name: api\n    namespace: apps\n    team: core\n"
        "    environments:\n      prod: {alerts: [{name: WorkerDown, expr: up == 0, severity: warn, summary: s}]}\n"
    )
    assert problems(text) == [
        "services.yaml:17:24: alert name 'WorkerDown' is used twice (first at line 12); alert names are unique (in environment prod)"
    ]


def test_an_override_may_replace_its_own_alert_of_the_same_name():
    text = (
        BASE
        + "    environments:\n      prod: {alerts: [{name: WorkerDown, expr: up == 1, severity: page, summary: s}]}\n"
    )
    objects.check(model.build(load.load_text(text, "services.yaml")))


@pytest.mark.parametrize(
    "where, label, expected",
    [
        ("service", "severity", "opsgen sets this label from the alert's 'severity'"),
        ("service", "team", "opsgen sets this label from the alert's 'team'"),
        ("service", "namespace", "opsgen sets this label to the service's namespace"),
        ("service", "service", "opsgen sets this label to the service's name"),
        ("top", "severity", "opsgen sets this label from the alert's 'severity'"),
    ],
)
def test_labels_opsgen_sets_are_not_silently_overwritten(where, label, expected):
    alert = f"{{name: Extra, expr: up == 0, severity: warn, summary: s, labels: {{{label}: critical}}}}"
    if where == "service":
        text = BASE + f"      - {alert}\n"
    else:
        text = BASE + f"alerts:\n  - {alert}\n"
    found = problems(text)
    assert len(found) == 1 and expected in found[0] and f"labels.{label}" in found[0], found


def test_top_level_alerts_may_label_team_namespace_and_service_without_a_team():
    text = (
        BASE
        + "alerts:\n  - {name: Top, expr: up == 0, severity: warn, summary: s, labels: {team: a, namespace: b, service: c}}\n"
    )
    validate.validate(load.load_text(text, "services.yaml"))


def test_override_labels_are_checked_too():
    text = (
        BASE
        + "    environments:\n      prod: {alerts: [{name: WorkerDown, expr: up == 1, severity: page, summary: s, labels: {severity: x}}]}\n"
    )
    found = problems(text)
    assert len(found) == 1 and "labels.severity" in found[0] and found[0].startswith("services.yaml:14:"), found
