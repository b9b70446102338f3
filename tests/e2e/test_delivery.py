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

pytestmark = needs_servers
TIMEOUT = 30.0  # seconds for an alert to fire, or a message to arrive
SETTLE = 10.0  # seconds for a panel to show a firing alert (ALERTS is written at each evaluation)
# restore the `for` state of alerts whose `for` is at least this (the default, 10m, would skip the 2m fast burn)
GRACE_PERIOD = "1m"
# resend firing alerts every second: the first send can happen before Prometheus has
# discovered the Alertmanager, and is then dropped (the default resend is 1m later)
RESEND_DELAY = "1s"
RESTORED = (
    (conv.ALERT_BURN_FAST, "outage-agent"), (conv.ALERT_BURN_SLOW, "outage-agent"), (conv.ALERT_LATENCY, "slow-agent"),
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


def test_page_reaches_pagerduty(restarted, webhooks):
    annotations = restarted.wait_for_alert(conv.ALERT_BURN_FAST, "firing", TIMEOUT, service="outage-agent")["annotations"]
    event = webhooks.wait_for(webhook.PAGERDUTY_PATH, "the fast burn paged", mentions(conv.ALERT_BURN_FAST, "outage-agent"), TIMEOUT)
    assert event["routing_key"] == alertmanager.ROUTING_KEY  # the Secret's value, as the operator inlines it
    assert event["event_action"] == "trigger"
    assert conv.ALERT_BURN_FAST in event["payload"]["summary"]
    assert mentions(annotations["summary"], annotations[conv.RUNBOOK_ANNOTATION])(event)  # what on-call reads


def test_latency_page_reaches_pagerduty(restarted, webhooks):
    restarted.wait_for_alert(conv.ALERT_LATENCY_BURN_FAST, "firing", TIMEOUT, service="slow-api")
    event = webhooks.wait_for(webhook.PAGERDUTY_PATH, "the latency burn paged", mentions(conv.ALERT_LATENCY_BURN_FAST, "slow-api"), TIMEOUT)
    assert event["event_action"] == "trigger"


def test_warn_reaches_slack(restarted, webhooks, generated):
    annotations = restarted.wait_for_alert(conv.ALERT_LATENCY, "firing", TIMEOUT, service="slow-agent")["annotations"]
    message = webhooks.wait_for(webhook.SLACK_PATH, "the latency warning in Slack", mentions(conv.ALERT_LATENCY, "slow-agent"), TIMEOUT)
    (slack,) = [r for r in generated.routing().receivers if r.slack]
    assert message["channel"] == slack.channel
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
    assert [r["name"] for r in fast["receivers"]] == ["monitoring/e2e-routing/page"]
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
