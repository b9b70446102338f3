"""Values opsgen passes on to other tools, held to what those tools accept (issue 21):
Kafka topics, consumer groups and brokers, Secret keys, selector label keys,
grafana.folder as a path, YAML 1.1 number forms, '<<:' misuse and merge chains."""

from __future__ import annotations

import time

import pytest
import yaml

from opsgen.catalogue import load, validate
from opsgen.errors import CatalogueError
from tests.conftest import VALID


def problems(text: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(text, "services.yaml"))
    return [str(p) for p in caught.value.problems]


def with_value(path: tuple, value: object) -> str:
    data = yaml.safe_load(VALID)
    target = data
    for part in path[:-1]:
        target = target.setdefault(part, {}) if isinstance(target, dict) else target[part]
    target[path[-1]] = value
    return yaml.safe_dump(data, sort_keys=False)


def accepted(text: str) -> None:
    validate.validate(load.load_text(text, "services.yaml"))


TOPIC = ("services", 0, "scaling", "kafka", "topic")


@pytest.mark.parametrize("topic", ['x{{ range query "up" }}{{ end }}', ".", "..", "a" * 250, "a b", "jobs\n", "tópico"])
def test_kafka_topics_follow_kafkas_rule(topic):
    found = problems(with_value(TOPIC, topic))
    assert any("scaling.kafka.topic" in p and "a Kafka topic" in p for p in found), found


@pytest.mark.parametrize("topic", ["a" * 249, "jobs.v1_x-y", "..a", "A9"])
def test_kafka_topics_kafka_accepts_pass(topic):
    accepted(with_value(TOPIC, topic))


def test_pipeline_topics_follow_kafkas_rule():
    found = problems(with_value(("pipeline",), {"topics": ["jobs", "bad{{ $value }}"]}))
    assert any("pipeline.topics[1]" in p and "a Kafka topic" in p for p in found), found


@pytest.mark.parametrize("group", ["g\x01", "g\x7f", "g\u0085x", "g\nh"])
def test_consumer_groups_hold_no_control_characters(group):
    found = problems(with_value(("services", 0, "scaling", "kafka", "consumerGroup"), group))
    assert any("consumerGroup" in p and "control characters" in p for p in found), found


@pytest.mark.parametrize(
    "servers, wanted",
    [
        ("kafka.kafka.svc:９０９２", "the port 1-65535"),  # full-width digits pass str.isdigit()
        ("kafka.kafka.svc:٩٠٩٢", "the port 1-65535"),
        ("kafka.kafka.svc:0", "the port 1-65535"),
        ("kafka.kafka.svc:65536", "the port 1-65535"),
        ("kafka.kafka.svc:123456", "the port 1-65535"),
        ("kafka_x.kafka.svc:9092", "the host must be a DNS name"),
        ("kafka..svc:9092", "the host must be a DNS name"),
        ("-kafka.kafka.svc:9092", "the host must be a DNS name"),
        ("kafka.kafka.svc.:9092", "the host must be a DNS name"),
        ("[::zz]:9092", "the host must be a DNS name"),
        ("{{x}}.kafka:9092", "the host must be a DNS name"),
    ],
)
def test_kafka_brokers_are_dns_names_and_ascii_ports(servers, wanted):
    found = problems(with_value(("platform", "kafka", "bootstrapServers"), servers))
    assert any(wanted in p for p in found), found


@pytest.mark.parametrize("servers", ["kafka.kafka.svc:1", "kafka.kafka.svc:65535", "10.0.0.1:9092", "[fd00::1]:9092"])
def test_kafka_brokers_that_resolve_pass(servers):
    accepted(with_value(("platform", "kafka", "bootstrapServers"), servers))


@pytest.mark.parametrize("key", ["a/b", ".", "..", "..x", "a b", "k" * 254, "ключ", "a\n"])
def test_secret_keys_are_valid_secret_data_keys(key):
    receiver = {"slack": {"secret": "s", "key": key, "channel": "#c"}}
    found = problems(
        with_value(("platform", "alerting"), {"page": {"pagerduty": {"secret": "s", "key": key}}, "warn": receiver})
    )
    assert sum("a Kubernetes Secret key" in p for p in found) == 2, found


@pytest.mark.parametrize("key", ["url", ".hidden", "a.b-c_d", "k" * 253])
def test_secret_keys_kubernetes_accepts_pass(key):
    accepted(with_value(("platform", "alerting"), {"page": {"pagerduty": {"secret": "s", "key": key}}}))


@pytest.mark.parametrize("key", ["a..b/x", "-a.b/x", "a.b-/x", "A.b/x", ("a" * 63 + ".") * 4 + "ab/x", "/x", "a/b/c"])
def test_selector_keys_have_a_dns_subdomain_prefix(key):
    found = problems(with_value(("services", 0, "metrics", "selector"), {key: "v"}))
    assert any("a Kubernetes label key" in p for p in found), found


@pytest.mark.parametrize("key", ["app.kubernetes.io/name", "a/x", ("a" * 62 + ".") * 4 + "a/x", "x"])
def test_selector_keys_kubernetes_accepts_pass(key):
    accepted(with_value(("services", 0, "metrics", "selector"), {key: "v"}))


@pytest.mark.parametrize(
    "folder", ["../../../../etc/grafana/provisioning/dashboards", "..", ".", "a/b", "a\\b", "/etc", "a\tb", "f" * 256]
)
def test_grafana_folder_is_one_folder_name(folder):
    found = problems(with_value(("platform", "grafana", "folder"), folder))
    assert any("grafana.folder" in p and "one Grafana folder name" in p for p in found), found


@pytest.mark.parametrize("folder", ["Platform", "My Dashboards", "...", "a.b"])
def test_grafana_folder_names_pass(folder):
    accepted(with_value(("platform", "grafana", "folder"), folder))


@pytest.mark.parametrize("text", ["010", "-010", "1:30", "1:30.5", "1_000", "0b11", "00", "1_0.5"])
def test_yaml_11_number_forms_are_refused_at_their_line(text):
    found = problems(VALID.replace("maxReplicas: 4", f"maxReplicas: {text}"))
    assert any(p.startswith("services.yaml:11:20: this number is read differently by YAML 1.1") for p in found), found


@pytest.mark.parametrize("text", ["4", "0x4", "'010'"])
def test_plain_numbers_and_quoted_text_are_not_ambiguous(text):
    try:
        accepted(VALID.replace("maxReplicas: 4", f"maxReplicas: {text}"))
    except CatalogueError as exc:
        assert not any("YAML 1.1" in str(p) for p in exc.problems)


@pytest.mark.parametrize("value, column", [("foo", 7), ("[1, 2]", 8), ("[*m, 3]", 12)])
def test_merge_keys_that_merge_no_mapping_are_errors(value, column):
    text = "m: &m {name: demo}\nplatform:\n  <<: " + value + "\n"
    with pytest.raises(CatalogueError) as caught:
        load.load_text(text, "services.yaml")
    assert any(str(p).startswith(f"services.yaml:3:{column}: '<<:' merges a mapping") for p in caught.value.problems)


def test_a_chain_of_merges_is_expanded_once_for_all_error_locations():
    """Each service merges the two before it: every error location expanded the chain
    again, and repeated sources multiplied it (23 services, 1.2 KB: 0.9 s before, doubling every second service)."""
    lines = ["platform: {name: demo}", "services:"]
    lines.append("  - &s0 {name: s0, namespace: apps, team: core, metrics: {port: http, interval: 0s}}")
    lines.append("  - &s1 {<<: [*s0], name: s1}")
    lines += [f"  - &s{i} {{<<: [*s{i - 1}, *s{i - 2}], name: s{i}, bogus: 1}}" for i in range(2, 23)]
    start = time.process_time()
    found = problems("\n".join(lines) + "\n")
    assert time.process_time() - start < 0.2
    assert len([p for p in found if "unknown key 'bogus'" in p]) == 21  # each at its own line


def test_alert_names_differing_only_in_case_are_refused_at_their_line():
    alerts = [
        {"name": "HighLatency", "expr": "up == 0", "severity": "warn", "summary": "s"},
        {"name": "Highlatency", "expr": "up == 0", "severity": "warn", "summary": "s"},
    ]
    found = problems(with_value(("alerts",), alerts))
    assert any("'Highlatency' differs only in case from 'HighLatency'" in p and "/highlatency" in p for p in found), (
        found
    )


def test_a_catalogue_alert_differing_in_case_from_a_generated_one_is_refused(tmp_path):
    from opsgen import pipeline

    alert = {"name": "Kafkabackloghigh", "expr": "up == 0", "severity": "warn", "summary": "s"}
    path = tmp_path / "services.yaml"
    path.write_text(with_value(("alerts",), [alert]), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        pipeline.load_valid(str(path))
    assert any("differs only in case from 'KafkaBacklogHigh'" in str(p) for p in caught.value.problems)
