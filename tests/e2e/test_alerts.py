"""Which generated alerts go pending for each scenario of the fleet, in a real
Prometheus that loads the generated rules and scrapes the fleet.

Every ``for`` of the generated alerts is minutes long, so a fresh Prometheus
shows them pending (test_delivery.py has them fire). Assertions that an alert
is NOT raised are made once the scenario's own alerts are pending, that is
once the rules have evaluated the same scrapes."""

from __future__ import annotations

import pytest

from opsgen import conventions as conv
from opsgen.catalogue import burn
from tests.e2e import cluster, history
from tests.e2e.conftest import needs_servers

pytestmark = needs_servers
TIMEOUT = 30.0  # seconds for the scenarios' first alerts to appear
SOON = 10.0  # seconds for anything else once they have (rules run every second)


@pytest.fixture(scope="module")
def incidents(prom):
    """Prometheus once the outage and slow scenarios have raised their alerts."""
    prom.wait_for_alert(conv.ALERT_BURN_FAST, "pending", TIMEOUT, service="outage-agent")
    prom.wait_for_alert(conv.ALERT_LATENCY, "pending", TIMEOUT, service="slow-agent")
    return prom


def test_healthy_fleet_raises_no_alert(incidents):
    raised = {
        (a["labels"].get("namespace"), a["labels"].get("service"), a["labels"]["alertname"])
        for a in incidents.alerts()
        if a["labels"].get("namespace") in cluster.HEALTHY_NAMESPACES
    }
    assert raised == set()


def test_outage_burns_the_error_budget_fast_and_slow(incidents):
    incidents.wait_for_alert(conv.ALERT_BURN_SLOW, "pending", SOON, service="outage-agent")
    assert incidents.alert_states(namespace="incidents", service="outage-agent") == {
        conv.ALERT_BURN_FAST: "pending",  # for: 2m
        conv.ALERT_BURN_SLOW: "pending",  # for: 15m
    }
    (fast,) = [
        a
        for a in incidents.alerts()
        if a["labels"]["alertname"] == conv.ALERT_BURN_FAST and a["labels"]["service"] == "outage-agent"
    ]
    assert fast["labels"]["severity"] == "page" and fast["labels"]["team"] == "agents"
    assert float(fast["value"]) == pytest.approx(1.0)  # every task failed


def test_slow_agent_breaks_its_latency_slo_only(incidents):
    assert incidents.alert_states(namespace="incidents", service="slow-agent") == {conv.ALERT_LATENCY: "pending"}
    (slow,) = [a for a in incidents.alerts() if a["labels"].get("service") == "slow-agent"]
    assert slow["labels"]["severity"] == "warn"
    assert float(slow["value"]) == 0.0  # the share of tasks within 2.5 s (le="2.5"): none of the 5 s tasks


def test_a_total_latency_breach_pages_the_latency_slo(incidents):
    """Every request of slow-api takes 5 s against 99% within 2.5 s, read from its own
    histogram (slo.latency.metric): the fast burn goes pending at once (for: 2m, paging
    within 10 minutes of the breach), the slow burn too, and its ratio reads 1."""
    incidents.wait_for_alert(conv.ALERT_LATENCY_BURN_FAST, "pending", TIMEOUT, service="slow-api")
    incidents.wait_for_alert(conv.ALERT_LATENCY_BURN_SLOW, "pending", SOON, service="slow-api")
    assert incidents.alert_states(namespace="incidents", service="slow-api") == {
        conv.ALERT_LATENCY_BURN_FAST: "pending",
        conv.ALERT_LATENCY_BURN_SLOW: "pending",
    }
    (fast,) = [a for a in incidents.alerts() if a["labels"]["alertname"] == conv.ALERT_LATENCY_BURN_FAST]
    assert fast["labels"]["severity"] == "page" and fast["labels"]["sloth_slo"] == "latency"
    assert float(fast["value"]) == pytest.approx(1.0)  # every request slower than the threshold
    (ratio,) = incidents.wait_for_series(
        f'{conv.error_ratio_record("5m")}{{service="slow-api", sloth_slo="latency"}}', SOON
    )
    assert float(ratio["value"][1]) == pytest.approx(1.0)


def test_renamed_metric_keeps_the_target_up(incidents):
    """The SLI metric is gone but the target answers: MetricsTargetDown stays quiet."""
    assert incidents.query('up{namespace="incidents", service="renamed-agent"} == 1')
    assert not incidents.query('agent_tasks_total{namespace="incidents", service="renamed-agent"}')
    assert conv.ALERT_TARGET_DOWN not in incidents.alert_states(service="renamed-agent")


def test_renamed_metric_raises_slo_metric_absent(incidents):
    alert = incidents.wait_for_alert("SLOMetricAbsent", "pending", SOON, namespace="incidents", service="renamed-agent")
    assert alert["labels"]["severity"] == "warn"
    assert alert["annotations"].get(conv.RUNBOOK_ANNOTATION)
    assert "SLOMetricAbsent" not in incidents.alert_states(service="coding-agent")  # its metric is there


def test_kafka_exporter_reports_uncommitted_partitions_as_minus_one(incidents):
    lags = incidents.query('kafka_consumergroup_lag{consumergroup="backlog-consumer"}')
    assert sorted(float(s["value"][1]) for s in lags) == [-1.0, -1.0, 1001.0]


def test_kafka_backlog_ignores_uncommitted_partitions(incidents):
    """Lag 1001 on one partition and -1 on two: raw sums say 999, under the
    backlog threshold of 1000; the real backlog is 1001."""
    incidents.wait_for_alert(conv.ALERT_BACKLOG, "pending", SOON, service="backlog-consumer")
    incidents.wait_for_alert(
        conv.ALERT_AT_MAX, "pending", SOON, service="backlog-consumer"
    )  # kube-state-metrics: 3 of 4, the topic's 3 partitions
    assert incidents.alert_states(namespace="incidents", service="backlog-consumer") == {
        conv.ALERT_BACKLOG: "pending",
        conv.ALERT_AT_MAX: "pending",
    }
    (recorded,) = incidents.wait_for_series(f'{conv.KAFKA_LAG_RECORD}{{service="backlog-consumer"}}', SOON)
    assert float(recorded["value"][1]) == 1001.0
    (healthy,) = incidents.query(f'{conv.KAFKA_LAG_RECORD}{{service="coding-agent"}}')
    assert float(healthy["value"][1]) == 5.0  # 3 + 2, not 3 + 2 - 1


def test_healthy_agent_error_ratio_reads_zero(incidents):
    """prometheus_client never created the healthy agent's failure series."""
    assert not incidents.query('agent_tasks_total{service="coding-agent", outcome="failure"}')
    for window in burn.windows(30):
        (ratio,) = incidents.wait_for_series(
            f'{conv.error_ratio_record(window)}{{namespace="agents", service="coding-agent"}}', SOON
        )
        assert float(ratio["value"][1]) == 0.0, window


def test_error_budget_remaining_over_the_slo_period(incidents):
    """30 days of 0.5 % failures (backfilled) against a 99 % SLO leave half the budget."""
    remaining = 'slo:period_error_budget_remaining:ratio{namespace="%s", service="%s"}'
    (rag,) = incidents.wait_for_series(remaining % ("search", history.BUDGET_SERVICE), SOON)
    assert float(rag["value"][1]) == pytest.approx(1 - history.BUDGET_FAILURE_RATIO / 0.01, abs=0.05)
    (healthy,) = incidents.wait_for_series(remaining % ("agents", "coding-agent"), SOON)
    assert float(healthy["value"][1]) == 1.0
    (outage,) = incidents.wait_for_series(remaining % ("incidents", "outage-agent"), SOON)
    assert float(outage["value"][1]) < 0  # nothing but failures: the budget is overspent
