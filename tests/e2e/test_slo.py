"""The success SLO on a real Prometheus, with history backfilled (history.slo_history):

- a total outage at a low objective (80 %) pages within 10 minutes of its start;
- failures at 0.8 x the budget for hours: no page, no ticket;
- a day of busy and idle hours in turn: the budget is weighted by requests (idle time is
  neither success nor failure);
- a service counting 5xx on its own counter (slo.requests) burns on its 5xx only.

The server evaluates every group every second (generated.rule_files(compressed=True))."""

from __future__ import annotations

import calendar
import time

import pytest

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import generated_alerts
from tests.e2e import fleet, history
from tests.e2e.conftest import needs_servers

pytestmark = needs_servers
SOON = 20.0


def _value(prom, expr: str) -> float:
    (found,) = prom.wait_for_series(expr, SOON)
    return float(found["value"][1])


def test_a_total_outage_at_a_low_objective_pages_within_ten_minutes(prom, generated):
    alert = prom.wait_for_alert(conv.ALERT_BURN_FAST, "pending", SOON, service="low-objective-agent")
    started = history.outage_start(generated, prom.started)
    active = _unix(alert["activeAt"])
    fires = active + durations.seconds(generated_alerts.BY_NAME[conv.ALERT_BURN_FAST].for_)
    assert fires - started <= 600, f"pages {fires - started:.0f}s after the outage started"
    assert alert["labels"]["severity"] == "page"


def test_failures_at_eight_tenths_of_the_budget_stay_quiet_for_hours(prom):
    ratio = _value(prom, f'{conv.error_ratio_record("6h")}{{service="steady-agent"}}')
    assert ratio == pytest.approx(0.8 * 0.01, rel=0.05)  # hours of history are in the windows
    assert _value(prom, f'{conv.error_ratio_record("1h")}{{service="steady-agent"}}') == pytest.approx(0.008, rel=0.1)
    prom.wait_for_series(
        f'ALERTS{{service="low-objective-agent", alertname="{conv.ALERT_BURN_FAST}"}}', SOON
    )  # rules ran
    assert not {conv.ALERT_BURN_FAST, conv.ALERT_BURN_SLOW} & set(prom.alert_states(service="steady-agent"))


def test_busy_and_idle_hours_give_the_request_weighted_budget(prom):
    """12 % of requests failed, against a 10 % budget: overspent by a fifth (-0.2). The
    mean of 5m ratios, idle ones as 0, would have shown +0.4."""
    remaining = _value(prom, f'{conv.SLO_BUDGET_REMAINING_RECORD}{{service="busy-idle-agent"}}')
    assert remaining == pytest.approx(1 - history.BUSY_FAILURE_RATIO / 0.1, abs=0.02)


def test_a_service_counting_5xx_burns_on_its_own_counter(prom):
    share = fleet.HTTP_CODES.count("503") / len(fleet.HTTP_CODES)  # the 404s are not its failures
    assert _value(prom, f'{conv.error_ratio_record("5m")}{{service="http-api"}}') == pytest.approx(share, abs=0.05)
    alert = prom.wait_for_alert(conv.ALERT_BURN_FAST, "pending", SOON, service="http-api")
    assert float(alert["value"]) == pytest.approx(share, abs=0.05)
    assert "SLOMetricAbsent" not in prom.alert_states(service="http-api")  # it reads http_requests_total{code}


def _unix(stamp: str) -> float:
    """Prometheus' RFC 3339 activeAt (nanoseconds, Z) as unix seconds."""
    day, clock = stamp.rstrip("Z").split("T")
    whole, _, fraction = clock.partition(".")
    base = calendar.timegm(time.strptime(f"{day}T{whole}", "%Y-%m-%dT%H:%M:%S"))
    return base + float(f"0.{fraction or 0}")
