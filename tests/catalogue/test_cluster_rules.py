"""Catalogue rules that keep the output safe on a real cluster (issue 10): port names Kubernetes
accepts, valid label selectors, namespace-qualified Kafka brokers, no zero duration that makes
an alert fire forever."""

from __future__ import annotations

import pytest

from opsgen.catalogue import load, model, validate
from tests.catalogue.test_validate import problems, valid

PORT_RULE = (
    "must be a port name as Kubernetes allows it (IANA_SVC_NAME): 1 to 15 lower-case letters, digits and '-', "
    "at least one letter, no '-' at the start, at the end or twice in a row, such as http or http-metrics"
)


def service(metrics: str = "{port: http}", extra: str = "", platform: str = "{name: demo}") -> str:
    return f"platform: {platform}\nservices:\n  - name: worker\n    namespace: apps\n    team: core\n    metrics: {metrics}\n{extra}"


@pytest.mark.parametrize("port", ['"8080"', "HTTP", "web_metrics", "a" * 20, "-http", "http-", "http--m", '""'])
def test_a_port_that_is_no_port_name_is_located(port):
    (problem,) = problems(service(f"{{port: {port}}}"))
    assert problem.startswith("services.yaml:6:15: metrics.port (")
    assert problem.endswith(PORT_RULE) or (port == '""' and "must" in problem)


@pytest.mark.parametrize("port", ["http", "metrics", "http-metrics", "a" * 15, "h2c", "9090-web"])
def test_port_names_kubernetes_accepts(port):
    valid(service(f"{{port: {port}}}"))


def test_selector_replaces_the_default():
    valid(service('{port: http, selector: {app.kubernetes.io/instance: worker-prod, "component": "api"}}'))


@pytest.mark.parametrize(
    "selector, message",
    [
        ('{"Bad Key": x}', "metrics.selector ('Bad Key') must be a Kubernetes label key"),
        ("{-app: x}", "metrics.selector ('-app') must be a Kubernetes label key"),
        ("{UPPER.example/app: x}", "metrics.selector ('UPPER.example/app') must be a Kubernetes label key"),
        ('{app: "has space"}', "metrics.selector.app ('has space') must be a Kubernetes label value"),
        ("{app: " + "x" * 64 + "}", "metrics.selector.app ('" + "x" * 64 + "') must be a Kubernetes label value"),
        ("{}", "metrics.selector must not be empty"),
    ],
)
def test_a_bad_selector_is_located(selector, message):
    (problem,) = problems(service(f"{{port: http, selector: {selector}}}"))
    assert message in problem, problem


def test_selector_reaches_the_model():
    doc = load.load_text(service("{port: http, selector: {b: '2', a: '1'}}"), "services.yaml")
    validate.validate(doc)
    (svc,) = model.build(doc).environments[0].services
    assert svc.metrics.selector == (("a", "1"), ("b", "2"))


KAFKA = "\n    scaling: {maxReplicas: 3, kafka: {topic: t, lagThreshold: 5}}\n"


def kafka_platform(servers: str) -> str:
    return service(extra=KAFKA, platform=f'{{name: demo, kafka: {{bootstrapServers: "{servers}"}}}}')


def test_a_broker_without_a_namespace_is_located_with_the_fix():
    assert problems(kafka_platform("kafka-headless:9092")) == [
        "services.yaml:1:50: platform.kafka.bootstrapServers: 'kafka-headless:9092' has no namespace, so it resolves in "
        "the namespace of whoever connects (KEDA runs in 'keda', kafka-exporter in 'monitoring'); write "
        "<service>.<namespace>.svc:9092, such as kafka-headless.kafka.svc:9092"
    ]


def test_every_broker_is_checked():
    found = problems(kafka_platform("kafka-0.kafka.svc:9092,kafka-1:9092,kafka-2"))
    assert len(found) == 2
    assert any("'kafka-1:9092' has no namespace" in p for p in found)
    assert any("'kafka-2' must be host:port" in p for p in found)


@pytest.mark.parametrize("servers", ["a.kafka:9092, b.kafka:9092", "a.kafka:9092,,b.kafka:9092", "a.kafka:9092,"])
def test_spaces_or_empty_entries_between_brokers_are_located(servers):
    """KEDA 2.13 splits bootstrapServers on ',' and trims nothing: ' b.kafka' never resolves."""
    (problem,) = problems(kafka_platform(servers))
    assert "separated by ',' alone, without spaces or empty entries" in problem


@pytest.mark.parametrize(
    "servers", ["kafka.kafka:9092", "kafka-headless.kafka.svc:9092", "a.b.svc.cluster.local:9093,10.0.0.1:9092"]
)
def test_namespace_qualified_brokers_are_fine(servers):
    valid(kafka_platform(servers))


@pytest.mark.parametrize(
    "metrics, extra, message",
    [
        ("{port: http, interval: 0s}", "", "metrics.interval (0s) must be more than zero"),
        ("{port: http, scrapeTimeout: 0ms}", "", "metrics.scrapeTimeout (0ms) must be more than zero"),
        ("{port: http}", "    slo: {latencyP95: 0s}\n", "slo.latencyP95 (0s) must be more than zero"),
        ("{port: http}", "    slo: {latencyP95: 0m0s}\n", "slo.latencyP95 (0m0s) must be more than zero"),
    ],
)
def test_a_zero_duration_that_makes_an_alert_always_fire_is_located(metrics, extra, message):
    (problem,) = problems(service(metrics, extra))
    assert message in problem, problem


def test_zero_where_zero_means_at_once_is_fine():
    """cooldownPeriod 0s scales down at once; an alert's for: 0s fires at once."""
    valid(service(extra="    scaling: {maxReplicas: 3, cpu: {targetUtilization: 50}, cooldownPeriod: 0s}\n"))
