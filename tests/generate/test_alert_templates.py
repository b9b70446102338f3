"""Alert templates (issue 14): catalogue text opsgen pastes into annotations renders
literally in the real template engine (promtool test rules), and what users write
as templates is checked at validate time (opsgen.catalogue.templates)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsgen.catalogue import load, model, templates, validate
from opsgen.errors import CatalogueError
from opsgen.generate import alerting
from tests import prom_tools

HOSTILE = [
    'x{{ range query "up" }}{{ . }}{{ end }}',
    "{{",
    "}}",
    "a{",
    "{{ $value }}",
    '{{ "{{" }}',
    "{{/* */}}",
    "{{- -}}",
    "`{{`",
]


def render(texts: list[str], tmp_path) -> None:
    """promtool test rules: an alert whose annotations are literal(text) fires with exactly ``text``."""
    annotations = {f"a{i}": templates.literal(t) for i, t in enumerate(texts)}
    rule_file = {"groups": [{"name": "g", "rules": [{"alert": "Lit", "expr": "up == 1", "annotations": annotations}]}]}
    tests = [
        {
            "input_series": [{"series": 'up{job="x"}', "values": "1x5"}],
            "alert_rule_test": [
                {
                    "eval_time": "1m",
                    "alertname": "Lit",
                    "exp_alerts": [
                        {"exp_labels": {"job": "x"}, "exp_annotations": {f"a{i}": t for i, t in enumerate(texts)}}
                    ],
                }
            ],
        }
    ]
    result = prom_tools.test_rules(rule_file, tests, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_hostile_text_renders_literally(tmp_path):
    render(HOSTILE, tmp_path)


@prom_tools.needs_promtool
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.text(alphabet=st.sampled_from("{}$.|\"'`- ab(/*)"), min_size=1, max_size=24), min_size=1, max_size=6)
)
def test_any_text_renders_literally(tmp_path, texts):
    texts = [t for t in texts if t.strip() == t and t]  # YAML round trip keeps inner text; promtool trims nothing
    if texts:
        render(texts, tmp_path)


def test_literal_is_identity_without_braces():
    assert templates.literal("kafka.topic-1 /x") == "kafka.topic-1 /x"


CATALOGUE = """\
platform:
  name: demo
  kafka: {bootstrapServers: "kafka.kafka.svc:9092"}
  runbookBaseUrl: "https://runbooks.example.com/{{.Value}}"
services:
  - name: worker
    namespace: apps
    team: core
    metrics: {port: http}
    scaling:
      maxReplicas: 4
      kafka: {topic: jobs, consumerGroup: 'g{{ range query "up" }}{{ end }}', lagThreshold: 10}
"""


@prom_tools.needs_promtool
def test_generated_backlog_alert_prints_the_consumer_group_literally(tmp_path):
    doc = load.load_text(CATALOGUE, "services.yaml")
    validate.validate(doc)
    catalogue = model.build(doc)
    env, service = catalogue.environments[0], catalogue.environments[0].services[0]
    groups = alerting.service_groups(service, env, catalogue.platform)
    rules = [r.to_json() for g in groups for r in g.rules if r.alert == "KafkaBacklogHigh"]
    tests = [
        {
            "interval": "1m",
            "input_series": [
                {
                    "series": 'kafka_consumergroup_lag{consumergroup="g{{ range query \\"up\\" }}{{ end }}",topic="jobs"}',
                    "values": "1000x30",
                }
            ],
            "alert_rule_test": [
                {
                    "eval_time": "20m",
                    "alertname": "KafkaBacklogHigh",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warn",
                                "team": "core",
                                "namespace": "apps",
                                "service": "worker",
                                "consumergroup": 'g{{ range query "up" }}{{ end }}',
                                "topic": "jobs",
                            },
                            "exp_annotations": {
                                "summary": "worker is falling behind on jobs.",
                                "description": 'Consumer group g{{ range query "up" }}{{ end }} is 1000 messages behind on jobs (more than 40 for 15m).',
                                "runbook_url": "https://runbooks.example.com/{{.Value}}/kafkabackloghigh",
                            },
                        }
                    ],
                }
            ],
        }
    ]
    result = prom_tools.test_rules({"groups": [{"name": "g", "rules": rules}]}, tests, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


# --- user-written templates ------------------------------------------------------

BASE = """\
platform: {name: demo}
services:
  - {name: api, namespace: apps, team: core, metrics: {port: http}}
alerts:
  - name: Custom
    expr: up == 0
    severity: warn
    summary: %s
    description: %s
    labels: {extra: %s}
"""


def problems(summary: str = "s", description: str = "d", label: str = "x") -> list[str]:
    text = BASE % (summary, description, label)
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(text, "services.yaml"))
    return [str(p) for p in caught.value.problems]


def test_well_formed_templates_validate():
    text = BASE % (
        "'{{ $labels.job }} is down'",
        "'{{ if gt $value 1.0 }}{{ $value | humanize }}{{ else }}low{{ end }}'",
        "'{{ $labels.job }}'",
    )
    validate.validate(load.load_text(text, "services.yaml"))


@pytest.mark.parametrize(
    "field, text, reason",
    [
        ("summary", "'{{ $labels.job'", "is not closed with '}}'"),
        ("description", "'{{ if true }}x'", "has no '{{ end }}'"),
        ("description", "'{{ end }}'", "without an 'if'"),
        ("description", "'{{ nope $value }}'", "unknown function 'nope'"),
        ("description", "'{{ $nope }}'", "unknown variable '$nope'"),
        ("description", "'{{ with query \"up\" }}{{ end }}'", "templates may not run queries"),
        ("label", "'{{ $value'", "is not closed"),
    ],
)
def test_malformed_user_templates_are_located_errors(field, text, reason):
    found = problems(**{field: text})
    assert len(found) == 1 and reason in found[0], found
    line = {"summary": 8, "description": 9, "label": 10}[field]
    assert found[0].startswith(f"services.yaml:{line}:"), found


@prom_tools.needs_promtool
@pytest.mark.parametrize(
    "text",
    [
        "{{ $labels.job",
        "{{ if true }}",
        "{{ end }}",
        "{{ nope }}",
        "{{ $nope }}",
        "{{ ( $value }}",
        "{{ else }}",
        "{{ break }}",
    ],
)
def test_what_the_check_refuses_promtool_refuses_too(text, tmp_path):
    assert templates.problems(text)
    rule_file = {
        "groups": [{"name": "g", "rules": [{"alert": "A", "expr": "up", "annotations": {"description": text}}]}]
    }
    assert prom_tools.check_rules(rule_file, tmp_path).returncode != 0


@pytest.mark.skipif(
    __import__("shutil").which("amtool") is None, reason="amtool not installed (Debian package prometheus-alertmanager)"
)
@pytest.mark.parametrize("channel", ["#alerts", "#x{{ range . }}", "{{", "#a{"])
def test_the_slack_channel_renders_literally_in_alertmanager(channel, tmp_path):
    import subprocess

    from opsgen.catalogue.model import Platform, Receiver
    from opsgen.generate import routing

    platform = Platform("demo", alerting={"warn": Receiver("slack", "sl", "url", channel)})
    (receiver,) = [r for r in routing.routing_props(platform).receivers if r.channel]
    (tmp_path / "empty.tmpl").write_text("", encoding="utf-8")
    rendered = subprocess.run(
        [
            "amtool",
            "template",
            "render",
            f"--template.glob={tmp_path / 'empty.tmpl'}",
            f"--template.text={receiver.channel}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert rendered.returncode == 0 and rendered.stdout == channel, rendered
