"""routing.py on a real cluster's Alertmanager: the AlertmanagerConfig as prometheus-operator
merges it into kube-prometheus-stack 58.3.1's own config, proven with amtool (routes) and a
real Alertmanager (inhibition); notifications carry summary, description and runbook."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cdk8s import App, Chart

from opsgen.catalogue.model import Platform, Receiver
from opsgen.generate import routing
from opsgen.generate.kinds import AlertmanagerConfig
from tests import prom_tools
from tests.support import alertmanager, manifests
from tests.support.alertmanager import KPS_BASE
from tests.support.chart import synth
from tests.support.operator import operator_config

PLATFORM = Platform(
    name="demo",
    runbook_base_url="https://runbooks.example.com",
    alerting={"page": Receiver("pagerduty", "pd", "routing-key"), "warn": Receiver("slack", "slack", "url", "#alerts")},
)
PREFIX = "monitoring/demo-routing/"
PAGE, WARN, DEFAULT = PREFIX + "page", PREFIX + "warn", PREFIX + "default"


def config(max_severity: str = "page", platform: Platform = PLATFORM) -> dict:
    return operator_config(routing.routing_props(platform, max_severity), KPS_BASE)


@prom_tools.needs_amtool
def test_the_merged_config_passes_amtool(tmp_path):
    result = prom_tools.check_alertmanager(config(), tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_amtool
@pytest.mark.parametrize(
    "labels, receivers",
    [
        # kube-prometheus-stack's own alerts, from any namespace
        ({"alertname": "KubePodCrashLooping", "severity": "critical", "namespace": "kube-system"}, {PAGE}),
        ({"alertname": "KubeHpaMaxedOut", "severity": "warning", "namespace": "agents"}, {WARN}),
        ({"alertname": "KubeQuotaAlmostFull", "severity": "info", "namespace": "agents"}, {DEFAULT}),
        # opsgen's
        ({"alertname": "ErrorBudgetBurnFast", "severity": "page", "namespace": "agents", "service": "a"}, {PAGE}),
        ({"alertname": "LatencyP95High", "severity": "warn", "namespace": "agents", "service": "a"}, {WARN}),
        ({"alertname": "NoSeverity", "namespace": "agents"}, {DEFAULT}),
        # always firing: never a notification (kube-prometheus-stack's null receiver, and ours)
        ({"alertname": "Watchdog", "severity": "none"}, {DEFAULT, "null"}),
        ({"alertname": "InfoInhibitor", "severity": "none", "namespace": "agents"}, {DEFAULT}),
    ],
)
def test_routes(tmp_path, labels, receivers):
    assert set(prom_tools.route(config(), tmp_path, labels).split(",")) == receivers


@prom_tools.needs_amtool
@pytest.mark.parametrize(
    "max_severity, severity, receiver",
    [
        ("warn", "critical", WARN),
        ("warn", "page", WARN),
        ("warn", "warning", WARN),
        ("info", "critical", DEFAULT),
        ("info", "warn", DEFAULT),
    ],
)
def test_an_environment_that_never_pages_lowers_the_stacks_severities_too(tmp_path, max_severity, severity, receiver):
    labels = {"alertname": "X", "severity": severity, "namespace": "agents"}
    assert prom_tools.route(config(max_severity), tmp_path, labels) == receiver


def test_severities_each_receiver_takes():
    assert routing.severities_to("page", "page") == ("page", "critical")
    assert routing.severities_to("warn", "page") == ("warn", "warning")
    assert routing.severities_to("warn", "warn") == ("page", "warn", "critical", "warning")
    assert routing.severities_to("page", "warn") == ()


def test_messages_carry_summary_description_and_runbook():
    spec = routing.routing_props(PLATFORM).spec()
    receivers = {r["name"]: r for r in spec["receivers"]}
    (slack,) = receivers["warn"]["slackConfigs"]
    assert "{{ .Annotations.summary }}" in slack["text"] and "{{ .Annotations.description }}" in slack["text"]
    assert "{{ .Annotations.runbook_url }}" in slack["text"]
    assert slack["actions"] == [{"type": "button", "text": "Runbook", "url": routing.RUNBOOK}]
    assert slack["title"] == routing.TITLE
    (pagerduty,) = receivers["page"]["pagerdutyConfigs"]
    assert pagerduty["description"] == routing.SUMMARY
    assert {d["key"] for d in pagerduty["details"]} == {"summary", "description", "runbook_url"}
    assert pagerduty["pagerDutyLinkConfigs"] == [{"href": routing.RUNBOOK, "alt": "Runbook"}]


def test_no_runbook_button_without_a_runbook_for_every_alert():
    """Without platform.runbookBaseUrl an alert may have no runbook_url: Slack and PagerDuty
    refuse a link without a URL, so the link stays in the text only."""
    bare = Platform(name="demo", alerting=PLATFORM.alerting)
    receivers = {r["name"]: r for r in routing.routing_props(bare).spec()["receivers"]}
    assert "actions" not in receivers["warn"]["slackConfigs"][0]
    assert "pagerDutyLinkConfigs" not in receivers["page"]["pagerdutyConfigs"][0]
    assert "runbook_url" in receivers["warn"]["slackConfigs"][0]["text"]


def test_the_object_is_valid_against_the_crd():
    chart = Chart(App(), "test", disable_resource_name_hashes=True)
    AlertmanagerConfig(chart, routing.routing_props(PLATFORM))
    (doc,) = synth(chart)
    manifests.assert_valid(doc)


@prom_tools.needs_amtool
@pytest.mark.parametrize(
    "template", [routing.TITLE, routing.TEXT, routing.SUMMARY, routing.DESCRIPTION, routing.RUNBOOK]
)
def test_every_template_renders(tmp_path, template):
    (tmp_path / "none.tmpl").write_text("", encoding="utf-8")
    args = ["amtool", "template", "render", f"--template.glob={tmp_path / 'none.tmpl'}", f"--template.text={template}"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, prom_tools.output(result)


# --- inhibition, decided by a running Alertmanager ----------------------------------------


@pytest.fixture(scope="module")
def am_url(tmp_path_factory) -> str:
    if alertmanager.BINARY is None:
        pytest.skip("Alertmanager not installed (Debian package prometheus-alertmanager)")
    workdir: Path = tmp_path_factory.mktemp("alertmanager")
    with alertmanager.running(config(), workdir) as url:
        yield url


def alert(name: str, severity: str, **labels: str) -> dict[str, str]:
    return {"alertname": name, "severity": severity, **labels}


@pytest.fixture(scope="module")
def inhibition(am_url) -> dict[str, str]:
    """Every alert posted at once; the last pair (a service's page and its own warn) is the
    control: once its warn is suppressed, the server has seen every alert before it."""
    alertmanager.post(
        am_url,
        [
            alert("PlatformPage", "page"),
            alert("PlatformWarn", "warn"),
            alert("OtherServiceWarn", "warn", namespace="agents", service="other"),
            alert("OwnWarn", "warn", namespace="agents", service="coding-agent"),
            alert("OwnPage", "page", namespace="agents", service="coding-agent"),
        ],
    )
    return alertmanager.wait_for(am_url, "OwnWarn", "suppressed")


def test_a_service_page_inhibits_its_own_warn(inhibition):
    assert inhibition["OwnWarn"] == "suppressed"


def test_a_platform_page_does_not_inhibit_an_unrelated_platform_warn(inhibition):
    """Neither has namespace or service: an ``equal`` on them alone would call them the same."""
    assert inhibition["PlatformWarn"] == "active"


def test_a_service_page_does_not_inhibit_another_services_warn(inhibition):
    assert inhibition["OtherServiceWarn"] == "active"
    assert inhibition["PlatformPage"] == inhibition["OwnPage"] == "active"


# --- routing per team (platform.alerting.teams) ------------------------------------------

TEAMS = Platform(
    name="demo",
    alerting=PLATFORM.alerting,
    team_alerting={
        "payments": {
            "page": Receiver("pagerduty", "pd-payments", "routing-key"),
            "warn": Receiver("slack", "slack-payments", "url", "#payments"),
        },
        "search": {"warn": Receiver("slack", "slack-search", "url", "#search")},
    },
)
PAYMENTS_PAGE, PAYMENTS_WARN, SEARCH_WARN = (
    PREFIX + "team-payments-page",
    PREFIX + "team-payments-warn",
    PREFIX + "team-search-warn",
)


@prom_tools.needs_amtool
def test_the_merged_config_with_teams_passes_amtool(tmp_path):
    result = prom_tools.check_alertmanager(config(platform=TEAMS), tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_amtool
@pytest.mark.parametrize(
    "labels, receiver",
    [
        # a team's alerts reach its own receivers, and only those
        (
            {"alertname": "ErrorBudgetBurnFast", "severity": "page", "team": "payments", "service": "checkout"},
            PAYMENTS_PAGE,
        ),
        ({"alertname": "LatencyP95High", "severity": "warn", "team": "payments", "service": "checkout"}, PAYMENTS_WARN),
        ({"alertname": "LatencyP95High", "severity": "warn", "team": "search", "service": "rag"}, SEARCH_WARN),
        # a severity the team has no receiver for falls back to the platform's
        ({"alertname": "ErrorBudgetBurnFast", "severity": "page", "team": "search", "service": "rag"}, PAGE),
        # a team without receivers, no team, the stack's own alerts: the platform's
        ({"alertname": "ErrorBudgetBurnFast", "severity": "page", "team": "agents", "service": "a"}, PAGE),
        ({"alertname": "MetricsTargetDown", "severity": "warn", "service": "a"}, WARN),
        ({"alertname": "KubePodCrashLooping", "severity": "critical", "namespace": "kube-system"}, PAGE),
        ({"alertname": "X", "severity": "info", "team": "payments"}, DEFAULT),
        ({"alertname": "Watchdog", "severity": "none", "team": "payments"}, DEFAULT + ",null"),
    ],
)
def test_team_routes(tmp_path, labels, receiver):
    assert prom_tools.route(config(platform=TEAMS), tmp_path, labels) == receiver


@prom_tools.needs_amtool
@pytest.mark.parametrize(
    "labels, receiver",
    [
        # dev never pages: a team's page is lowered to warn, and reaches the team's warn receiver ...
        ({"alertname": "X", "severity": "page", "team": "payments"}, PAYMENTS_WARN),
        ({"alertname": "X", "severity": "page", "team": "search"}, SEARCH_WARN),
        # ... or the platform's warn when the team has none
        ({"alertname": "X", "severity": "page", "team": "agents"}, WARN),
    ],
)
def test_team_routes_in_an_environment_that_never_pages(tmp_path, labels, receiver):
    assert prom_tools.route(config("warn", TEAMS), tmp_path, labels) == receiver


def test_only_teams_route_without_platform_receivers():
    """Teams' receivers alone make a config; what no team takes goes to default."""
    props = routing.routing_props(Platform(name="demo", team_alerting=TEAMS.team_alerting))
    assert [r.receiver for r in props.route_list()] == [
        "default",
        "team-payments-page",
        "team-payments-warn",
        "team-search-warn",
    ]


def test_team_receivers_reference_secrets_only():
    spec = routing.routing_props(TEAMS).spec()
    receivers = {r["name"]: r for r in spec["receivers"]}
    assert receivers["team-payments-page"]["pagerdutyConfigs"][0]["routingKey"] == {
        "name": "pd-payments",
        "key": "routing-key",
    }
    assert receivers["team-search-warn"]["slackConfigs"][0]["apiURL"] == {"name": "slack-search", "key": "url"}


def test_the_object_with_teams_is_valid_against_the_crd():
    chart = Chart(App(), "test", disable_resource_name_hashes=True)
    AlertmanagerConfig(chart, routing.routing_props(TEAMS))
    (doc,) = synth(chart)
    manifests.assert_valid(doc)
