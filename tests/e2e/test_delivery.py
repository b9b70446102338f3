"""From a generated alert to a page and a Slack message: a real Prometheus
fires generated alerts into a real Alertmanager, configured as
prometheus-operator configures it from the generated AlertmanagerConfig, with
PagerDuty and Slack replaced by local webhooks.

The generated alerts wait minutes (``for``) before they fire. Instead of
waiting, a second Prometheus starts on a data directory that holds the last 30
minutes of the incidents (history.restart): the scenario series and the
``ALERTS_FOR_STATE`` series of the alerts the first Prometheus shows pending,
as if it had been running through the incidents and restarted. Prometheus
restores the alerts' ``for`` state at start-up and they fire at once."""

from __future__ import annotations

import json
import time

import pytest

from opsgen import conventions as conv
from tests.e2e import alertmanager, grafana, history, prometheus, webhook
from tests.e2e.conftest import needs_servers
from tests.e2e.panels import substituted, wait_for_data
from tests.e2e.processes import wait_for
from tests.e2e.prometheus import Prometheus
from tests.support import alertmanager as support_alertmanager

pytestmark = needs_servers
TIMEOUT = 30.0  # seconds for an alert to fire, or a message to arrive
SETTLE = 10.0  # seconds for a panel to show a firing alert (ALERTS is written at each evaluation)
# restore the `for` state of alerts whose `for` is at least this (the default, 10m, would skip the 2m fast burn)
GRACE_PERIOD = "1m"
# resend firing alerts every second: the first send can happen before Prometheus has
# discovered the Alertmanager, and is then dropped (the default resend is 1m later)
RESEND_DELAY = "1s"
RESTORED = (
    (conv.ALERT_BURN_FAST, "outage-agent"),
    (conv.ALERT_BURN_SLOW, "outage-agent"),
    (conv.ALERT_LATENCY, "slow-agent"),
    (conv.ALERT_LATENCY_BURN_FAST, "slow-api"),
)


@pytest.fixture(scope="module")
def restarted(generated, processes, workdir, targets, prom, alertmanager_server) -> Prometheus:
    pending = [prom.wait_for_alert(name, "pending", TIMEOUT, service=service)["labels"] for name, service in RESTORED]
    home = workdir / "restarted"
    history.restart(generated, targets, pending, time.time()).write_blocks(home / "data")
    rule_files = generated.rule_files()
    config = prometheus.config(targets, [f"rules/{name}" for name in rule_files], alertmanager_server.address)
    flags = (f"--rules.alert.for-grace-period={GRACE_PERIOD}", f"--rules.alert.resend-delay={RESEND_DELAY}")
    return Prometheus.start(processes, home, config, rule_files, extra_args=flags)


def mentions(*words: str):
    return lambda body: all(word in json.dumps(body) for word in words)


@pytest.mark.parametrize("name, service", RESTORED)
def test_restored_alerts_fire(restarted, name, service):
    assert restarted.wait_for_alert(name, "firing", TIMEOUT, service=service)["state"] == "firing"


def receiver(generated, name: str):
    (found,) = [r for r in generated.routing().receivers if r.name == name]
    return found


def test_page_reaches_the_teams_own_pagerduty(restarted, webhooks, generated):
    """outage-agent's team (agents) has its own page receiver (platform.alerting.teams)."""
    annotations = restarted.wait_for_alert(conv.ALERT_BURN_FAST, "firing", TIMEOUT, service="outage-agent")[
        "annotations"
    ]
    event = webhooks.wait_for(
        webhook.PAGERDUTY_PATH, "the fast burn paged", mentions(conv.ALERT_BURN_FAST, "outage-agent"), TIMEOUT
    )
    # the team's Secret's value, as the operator inlines it: the team's receiver paged
    assert event["routing_key"] == alertmanager.routing_key(
        receiver(generated, conv.team_receiver_name("agents", "page")).pagerduty
    )
    assert event["event_action"] == "trigger"
    assert conv.ALERT_BURN_FAST in event["payload"]["summary"]
    assert mentions(annotations["summary"], annotations[conv.RUNBOOK_ANNOTATION])(event)  # what on-call reads


def test_latency_page_reaches_pagerduty(restarted, webhooks):
    restarted.wait_for_alert(conv.ALERT_LATENCY_BURN_FAST, "firing", TIMEOUT, service="slow-api")
    event = webhooks.wait_for(
        webhook.PAGERDUTY_PATH, "the latency burn paged", mentions(conv.ALERT_LATENCY_BURN_FAST, "slow-api"), TIMEOUT
    )
    assert event["event_action"] == "trigger"


def test_a_warn_of_a_team_without_its_own_warn_receiver_reaches_the_platforms_slack(restarted, webhooks, generated):
    """slow-agent's team (agents) names no warn receiver: the platform's takes it."""
    annotations = restarted.wait_for_alert(conv.ALERT_LATENCY, "firing", TIMEOUT, service="slow-agent")["annotations"]
    message = webhooks.wait_for(
        webhook.SLACK_PATH, "the latency warning in Slack", mentions(conv.ALERT_LATENCY, "slow-agent"), TIMEOUT
    )
    assert message["channel"] == receiver(generated, conv.receiver_name("warn")).channel
    assert mentions(annotations["summary"], annotations[conv.RUNBOOK_ANNOTATION])(message)


def test_page_inhibits_the_warn_of_the_same_service(restarted, alertmanager_server):
    """The slow burn of the paging service is held back, another service's warn is not;
    the page is routed to PagerDuty."""

    def held() -> dict | None:
        alerts = {(a["labels"].get("service"), a["labels"]["alertname"]): a for a in alertmanager_server.alerts()}
        slow = alerts.get(("outage-agent", conv.ALERT_BURN_SLOW))
        suppressed = slow is not None and slow["status"]["state"] == "suppressed"
        return alerts if suppressed and ("slow-agent", conv.ALERT_LATENCY) in alerts else None

    alerts = wait_for("the slow burn suppressed in Alertmanager", held, TIMEOUT)
    fast, slow = alerts[("outage-agent", conv.ALERT_BURN_FAST)], alerts[("outage-agent", conv.ALERT_BURN_SLOW)]
    assert slow["status"]["inhibitedBy"] == [fast["fingerprint"]]
    assert [r["name"] for r in fast["receivers"]] == ["monitoring/e2e-routing/team-agents-page"]  # the team's, no other
    assert alerts[("slow-agent", conv.ALERT_LATENCY)]["status"]["state"] == "active"


def test_panels_listing_firing_alerts_show_the_incidents(restarted, generated):
    """The dashboards' alert lists (queries over ALERTS), empty for the healthy
    fleet (test_dashboards.py), list the incidents' alerts once they fire."""
    listing = {}
    for file, dashboard in generated.dashboards().items():
        queries = substituted(restarted, dashboard, file, ("incidents",))
        listing |= {q: grafana.listed(expr) for q, expr in queries.items() if grafana.lists_alerts(expr)}
    assert listing, "no dashboard lists firing alerts"
    restarted.wait_for_alert(conv.ALERT_BURN_FAST, "firing", TIMEOUT, service="outage-agent")
    empty = wait_for_data(restarted, listing, SETTLE)
    assert not empty, "no alerts listed by:\n" + "\n".join(map(str, empty))


# --- routing per team, alerts posted straight to the same Alertmanager ----------------------

PREFIX = "monitoring/e2e-routing/"
# (team, severity, the receiver that must take it alone): a team's own receiver, or the
# platform's for a severity the team has none for, or for a team without receivers
PROBES = (
    ("agents", "page", conv.team_receiver_name("agents", "page")),
    ("review", "warn", conv.team_receiver_name("review", "warn")),
    ("review", "page", conv.receiver_name("page")),
    ("agents", "warn", conv.receiver_name("warn")),
    ("ci", "page", conv.receiver_name("page")),
)


def probe(team: str, severity: str) -> dict[str, str]:
    return {
        "alertname": "RoutingProbe",
        "severity": severity,
        "team": team,
        "namespace": "probes",
        "service": f"probe-{team}-{severity}",
    }


@pytest.fixture(scope="module")
def probed(alertmanager_server) -> dict[str, dict]:
    """service label -> the alert as Alertmanager holds it, once every probe is routed."""
    support_alertmanager.post(alertmanager_server.url, [probe(team, sev) for team, sev, _ in PROBES])

    def routed() -> dict | None:
        alerts = {
            a["labels"].get("service"): a
            for a in alertmanager_server.alerts()
            if a["labels"]["alertname"] == "RoutingProbe"
        }
        return alerts if len(alerts) == len(PROBES) else None

    return wait_for("every routing probe held by Alertmanager", routed, TIMEOUT)


@pytest.mark.parametrize("team, severity, expected", PROBES)
def test_a_teams_alert_reaches_its_receiver_and_no_other(probed, team, severity, expected):
    alert = probed[f"probe-{team}-{severity}"]
    assert [r["name"] for r in alert["receivers"]] == [PREFIX + expected]


@pytest.mark.parametrize("team, severity, expected", PROBES)
def test_the_notification_arrives_where_the_receiver_sends_it(probed, webhooks, generated, team, severity, expected):
    """The notification itself: PagerDuty with that receiver's routing key, Slack in that
    receiver's channel."""
    wanted = receiver(generated, expected)
    service = f"probe-{team}-{severity}"
    if wanted.pagerduty:
        event = webhooks.wait_for(
            webhook.PAGERDUTY_PATH, f"the page of {service}", mentions("RoutingProbe", service), TIMEOUT
        )
        assert event["routing_key"] == alertmanager.routing_key(wanted.pagerduty)
        others = [e for e in webhooks.posted(webhook.PAGERDUTY_PATH) if mentions("RoutingProbe", service)(e)]
        assert {e["routing_key"] for e in others} == {event["routing_key"]}
    else:
        message = webhooks.wait_for(
            webhook.SLACK_PATH, f"the warning of {service}", mentions("RoutingProbe", service), TIMEOUT
        )
        assert message["channel"] == wanted.channel
        others = [m for m in webhooks.posted(webhook.SLACK_PATH) if mentions("RoutingProbe", service)(m)]
        assert {m["channel"] for m in others} == {wanted.channel}
