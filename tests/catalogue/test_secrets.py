"""Credentials in the catalogue are refused, located, and never shown (issue 14)."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsgen.catalogue import secrets
from tests.conftest import REPO, VALID

SLACK_HOOK = "https://hooks.slack.com/services/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"
ROUTING_KEY = "a3f9c2e7b41d08f6e5c3a9b7d2f1e0c4"
GITHUB = "ghp_q8Vz3Lk9Pw2Xr7Tn4Ym6Bc1Hd5Jf0GsAa1B2"
AWS = "AKIAQ8VZ3LK9PW2XR7TN"

ALERTING = """\
  alerting:
    page: {pagerduty: {secret: pd, key: %s}}
    warn: {slack: {secret: sl, key: url, channel: '%s'}}
"""


def catalogue(**edits: str) -> str:
    text = VALID
    if "channel" in edits or "key" in edits:
        text = text.replace(
            "platform:\n",
            "platform:\n" + ALERTING % (edits.get("key", "routing-key"), edits.get("channel", "#alerts")),
            1,
        )
    if "bootstrap" in edits:
        text = text.replace("bootstrapServers: kafka.kafka.svc:9092", f"bootstrapServers: '{edits['bootstrap']}'")
    if "runbook" in edits:
        text = text.replace("platform:\n", f"platform:\n  runbookBaseUrl: '{edits['runbook']}'\n", 1)
    if "path" in edits:
        text = text.replace("metrics: {port: http}", f"metrics: {{port: http, path: '{edits['path']}'}}", 1)
    if "alert" in edits:
        text += "alerts:\n  - " + edits["alert"] + "\n"
    if "team" in edits:
        text = text.replace("team: core", f"team: '{edits['team']}'", 1)
    return text


CASES = {
    "slack webhook as channel": ({"channel": SLACK_HOOK}, SLACK_HOOK, "platform.alerting.warn.slack.channel"),
    "routing key as key name": ({"key": ROUTING_KEY}, ROUTING_KEY, "platform.alerting.page.pagerduty.key"),
    "password in bootstrap servers": (
        {"bootstrap": "admin:Zq7pW3xK@kafka.kafka.svc:9092"},
        "Zq7pW3xK",
        "platform.kafka.bootstrapServers",
    ),
    "password in runbook URL": (
        {"runbook": "https://bob:Zq7pW3xKm@runbooks.example.com/x"},
        "Zq7pW3xKm",
        "platform.runbookBaseUrl",
    ),
    "token in metrics path": ({"path": "/metrics?token=Zq7pW3xKm2"}, "Zq7pW3xKm2", "metrics.path"),
    "label named password": (
        {"alert": "{name: A, expr: up == 0, severity: warn, summary: s, labels: {password: Zq7pW3xKm3}}"},
        "Zq7pW3xKm3",
        "alerts[0].labels.password",
    ),
    "github token in a description": (
        {"alert": f"{{name: A, expr: up == 0, severity: warn, summary: s, description: 'use {GITHUB}'}}"},
        GITHUB,
        "alerts[0].description",
    ),
    "aws key as a label name": (
        {"alert": f"{{name: A, expr: up == 0, severity: warn, summary: s, labels: {{{AWS}: x}}}}"},
        AWS,
        "alerts[0].labels",
    ),
    "token where a name belongs": ({"team": GITHUB}, GITHUB, "team"),
    "long token where a name belongs": ({"team": "x" * 190 + GITHUB}, GITHUB, "team"),
}


@pytest.mark.parametrize("case", CASES)
def test_credentials_are_refused_and_never_shown(case, write_catalogue, run):
    edits, value, shown_path = CASES[case]
    path = write_catalogue(catalogue(**edits))
    code, out, err = run("validate", "-c", path)
    assert code == 3, err
    assert f": {shown_path}: looks like " in err, err
    assert "(<not shown>); keep credentials in a Kubernetes Secret" in err
    for part in (value, value[:12], value[-12:]):
        assert part not in out + err, part


LOW_ENTROPY_KEY = "ab" * 16  # a PagerDuty routing key's shape (32 hex digits) that entropy alone lets pass


@pytest.mark.parametrize(
    "alerting, shown_path",
    [
        (
            f"  alerting:\n    page: {{pagerduty: {{secret: pd, key: {LOW_ENTROPY_KEY}}}}}\n",
            "platform.alerting.page.pagerduty.key",
        ),
        (
            f"  alerting:\n    teams:\n      core: {{page: {{pagerduty: {{secret: pd, key: {LOW_ENTROPY_KEY}}}}}}}\n",
            "platform.alerting.teams.core.page.pagerduty.key",
        ),
    ],
)
def test_a_routing_key_is_refused_by_its_shape(alerting, shown_path, write_catalogue, run):
    path = write_catalogue(VALID.replace("platform:\n", "platform:\n" + alerting, 1))
    code, out, err = run("validate", "-c", path)
    assert code == 3 and f": {shown_path}: looks like a PagerDuty routing key" in err, err
    assert LOW_ENTROPY_KEY not in out + err


def test_synth_refuses_too_and_writes_nothing(write_catalogue, run, tmp_path):
    path = write_catalogue(catalogue(channel=SLACK_HOOK))
    code, out, err = run("synth", "-c", path, "-o", tmp_path / "dist")
    assert code == 3 and SLACK_HOOK not in out + err
    assert not (tmp_path / "dist").exists()


TOKENS = st.one_of(
    st.from_regex(r"ghp_[A-Za-z0-9]{36}", fullmatch=True),
    st.from_regex(r"xoxb-[0-9]{10}-[0-9]{10}-[a-z0-9]{24}", fullmatch=True),
    st.from_regex(r"AKIA[0-9A-Z]{16}", fullmatch=True),
    st.from_regex(r"sk_live_[0-9a-zA-Z]{24}", fullmatch=True),
)
PLACES = [
    ("platform", "name"),
    ("services", 0, "name"),
    ("services", 0, "namespace"),
    ("services", 0, "description"),
    ("services", 0, "metrics", "port"),
    ("services", 0, "scaling", "kafka", "topic"),
    ("platform", "kafka", "bootstrapServers"),
    ("services", 1, "scaling", "cpu", "targetUtilization"),
    ("services", 0, "role"),
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TOKENS, st.sampled_from(PLACES), st.sampled_from(["{}", "prefix {} suffix", "{}\n", "x" * 150 + "{}"]))
def test_a_token_anywhere_is_refused_and_never_echoed(write_catalogue, run, token, place, template):
    data = yaml.safe_load(VALID)
    target = data
    for part in place[:-1]:
        target = target[part]
    target[place[-1]] = template.format(token)
    code, out, err = run("validate", "-c", write_catalogue(yaml.safe_dump(data)))
    assert code == 3
    assert "looks like" in err
    for part in (token, token[:12], token[-12:]):
        assert part not in out + err


@pytest.mark.parametrize("path", [REPO / "services.yaml", *sorted((REPO / "tests" / "golden").glob("*/services.yaml"))])
def test_no_false_positives_on_real_catalogues(path):
    from opsgen.catalogue import load, paths

    doc = load.load_file(str(path))
    assert secrets.scan(doc.data, doc.locate, paths.display).problems == []


@pytest.mark.parametrize(
    "text",
    [
        "kafka-headless.kafka:9092",
        "agent_task_duration_seconds_bucket",
        "HighPipelineFailureRate",
        "https://runbooks.example.com/self-healing",
        "sum by (namespace, service) (rate(agent_tasks_total[5m]))",
        "#platform-alerts",
        "code.task.out",
    ],
)
def test_ordinary_values_are_not_credentials(text):
    assert secrets.detect(text) is None


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 3000), st.integers(0, 3000), TOKENS)
def test_a_token_anywhere_in_a_long_text_is_found(before, after, token):
    """Long texts are scanned in overlapping windows (bounded regex work): no token falls between them."""
    text = "a " * before + token + " b" * after
    assert secrets.detect(text) is not None
    assert any(token in part for part in secrets._parts(text))


def test_windows_are_bounded():
    windows = list(secrets._windows("eyJ" * 100_000))
    assert max(map(len, windows)) <= secrets.WINDOW_SPAN
    assert len(windows) <= 2 * 300_000 // secrets.WINDOW_SPAN + 1


def test_redacting_a_long_credential_in_many_messages_is_linear():
    """Issue 21: every 8-character window of a 355 KB credential was searched for in every
    message (300 errors: 35 s); now the messages' windows are indexed once."""
    import random
    import string
    import time

    from opsgen.catalogue import load, validate
    from opsgen.errors import CatalogueError

    rng = random.Random(1)
    word = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(355_000))
    services = "".join(
        f"  - {{name: s{i}, namespace: apps, team: core, metrics: {{port: http, interval: 0s}}}}\n" for i in range(300)
    )
    text = (
        f"platform: {{name: demo}}\nservices:\n  - {{name: x, namespace: apps, team: core, description: '{word}'}}\n"
        + services
    )
    start = time.process_time()
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(text, "services.yaml"))
    assert time.process_time() - start < 5
    assert len(caught.value.problems) == 301 and not any(word[:8] in str(p) for p in caught.value.problems)
