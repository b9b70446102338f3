"""The success SLO's alerts for every kind of objective, fed as prometheus_client exports
(the failure series appears with the first failure) and scraped every 30s, proven with
``promtool test rules`` evaluating every 30s:

- a total outage pages (ErrorBudgetBurnFast fires) within burn.plan's time to page,
  at most 10 minutes after it starts, at every objective validate accepts;
- a failure ratio at the budget (burn rate 1) never pages and never tickets for a day;
- a service counting 5xx on its own counter (slo.requests) pages on its 5xx only;
- slo.minFailures: one failure in a handful of requests does not page.
"""

from __future__ import annotations

import pytest

from opsgen import conventions as conv
from opsgen import pipeline
from opsgen.generate import slo
from tests import prom_tools
from tests.generate.test_alerting import input_series, rule_file

OBJECTIVES = (99.99, 99.9, 99.5, 99, 95, 93, 90, 85, 80, 60, 50, 40)
TARGET = {"job": "svc", "instance": "10.0.0.1:8080", "pod": "svc-0"}
STEP = 30  # seconds between samples, the default metrics.interval


def catalogue_text(objective: float, extra: str = "") -> str:
    return (
        "platform: {name: p}\nservices:\n  - name: svc\n    namespace: n\n    team: t\n    metrics: {port: http}\n"
        f"    slo: {{successRate: {objective}{extra}}}\n"
    )


def load(write_catalogue, objective: float, extra: str = ""):
    catalogue = pipeline.load_valid(str(write_catalogue(catalogue_text(objective, extra))))
    (env,) = catalogue.environments
    (svc,) = env.services
    return catalogue, env, svc


def run(catalogue, env, svc, series, checks, tmp_path, step: int = STEP):
    rules, _ = rule_file(svc, env, catalogue.platform)
    tests = [{"interval": f"{step}s", "input_series": input_series(series), "alert_rule_test": checks}]
    return prom_tools.test_rules(rules, tests, tmp_path, evaluation_interval=f"{step}s")


def labels(metric: str = "agent_tasks_total", **extra: str) -> dict[str, str]:
    return {"__name__": metric, "namespace": "n", "service": "svc", **TARGET, **extra}


def outage_series(healthy: int, after: int, per_step: int = 30):
    """``healthy`` samples of successes only (no failure series yet), then every request
    fails for ``after`` samples: the failure series starts at the first scrape after."""
    ok = f"0+{per_step}x{healthy} {per_step * healthy}+0x{after}"
    failed = f"_x{healthy + 1} {per_step}+{per_step}x{after - 1}"
    return [(labels(outcome="success"), ok), (labels(outcome="failure"), failed)]


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60)}s"


def fired(alerts, name: str) -> list[dict]:
    sloth = {
        "sloth_id": conv.SLOTH_JOIN.join(("n", "svc", conv.SLO_NAME)),
        "sloth_service": conv.SLOTH_JOIN.join(("n", "svc")),
        "sloth_slo": conv.SLO_NAME,
    }
    return [{"exp_labels": {"namespace": "n", "service": "svc", **sloth, **alerts[name]["labels"]}}]


@prom_tools.needs_promtool
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_total_outage_pages_within_ten_minutes(objective, write_catalogue, tmp_path):
    catalogue, env, svc = load(write_catalogue, objective)
    page = slo.time_to_page(svc, catalogue.platform)
    assert page <= 600
    healthy = 240  # 2 hours: every window holds successes only
    start = healthy * STEP + STEP  # the first scrape that can see a failure is the next one
    by = start + -(-page // STEP) * STEP
    _, alerts = rule_file(svc, env, catalogue.platform)
    checks = [
        {"eval_time": minutes(start - STEP), "alertname": conv.ALERT_BURN_FAST, "exp_alerts": []},
        {
            "eval_time": minutes(by),
            "alertname": conv.ALERT_BURN_FAST,
            "exp_alerts": fired(alerts, conv.ALERT_BURN_FAST),
        },
    ]
    result = run(catalogue, env, svc, outage_series(healthy, 40), checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
@pytest.mark.parametrize("objective", (99.9, 99, 90, 40))
def test_a_burn_rate_of_one_never_pages_nor_tickets(objective, write_catalogue, tmp_path):
    """Failures at exactly the budget for 26 hours (1d and 2h windows full), 100 a minute
    (sampled and evaluated every minute: the quiet side does not depend on the interval)."""
    catalogue, env, svc = load(write_catalogue, objective)
    failed = round(100 * (100 - objective) / 100, 4)
    samples = 26 * 60
    series = [
        (labels(outcome="failure"), f"0+{failed}x{samples}"),
        (labels(outcome="success"), f"0+{100 - failed}x{samples}"),
    ]
    checks = [
        {"eval_time": f"{h}h", "alertname": name, "exp_alerts": []}
        for h in (1, 6, 12, 26)
        for name in (conv.ALERT_BURN_FAST, conv.ALERT_BURN_SLOW)
    ]
    result = run(catalogue, env, svc, series, checks, tmp_path, step=60)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_a_service_counting_5xx_pages_on_its_own_counter(write_catalogue, tmp_path):
    """slo.requests: http_requests_total{code}; 4xx are not failures, 5xx are."""
    extra = ', requests: {metric: http_requests_total, failures: {code: "5.."}}'
    catalogue, env, svc = load(write_catalogue, 99.5, extra)
    _, alerts = rule_file(svc, env, catalogue.platform)
    http = "http_requests_total"
    series = [
        (labels(http, code="200"), "0+30x20 600+0x40"),
        (labels(http, code="404"), "0+30x60"),  # client errors all along: not the service's failures
        (labels(http, code="503"), "_x21 30+30x38"),
    ]
    page = slo.time_to_page(svc, catalogue.platform)
    checks = [
        {"eval_time": "10m", "alertname": conv.ALERT_BURN_FAST, "exp_alerts": []},
        {
            "eval_time": minutes(21 * STEP + -(-page // STEP) * STEP),
            "alertname": conv.ALERT_BURN_FAST,
            "exp_alerts": fired(alerts, conv.ALERT_BURN_FAST),
        },
    ]
    result = run(catalogue, env, svc, series, checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
@pytest.mark.parametrize("min_failures, pages", [(1, True), (3, False)])
def test_min_failures_keeps_one_failure_in_a_handful_from_paging(min_failures, pages, write_catalogue, tmp_path):
    """One request every 6 minutes; one of them fails: 1 in 11 over the hour pages a 99 %
    SLO (its first pair: 7.5 % over 1h and 5m) unless slo.minFailures asks for more
    failures in the long window."""
    catalogue, env, svc = load(write_catalogue, 99, f", minFailures: {min_failures}")
    _, alerts = rule_file(svc, env, catalogue.platform)
    series = [(labels(outcome="success"), "0+0.08333x120"), (labels(outcome="failure"), "0x100 1x20")]
    expected = fired(alerts, conv.ALERT_BURN_FAST) if pages else []
    checks = [{"eval_time": "54m", "alertname": conv.ALERT_BURN_FAST, "exp_alerts": expected}]
    result = run(catalogue, env, svc, series, checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
