"""Latency alerts read exactly, proven with ``promtool test rules`` on histogram series
shaped as prometheus_client (``le="90.0"``) and Go clients (``le="90"``) write them.

- the issue's case: a 90 s latencyP95 with buckets at 60, 90 and 120 s fires when 10%
  of the tasks take 115 s (the true p95 is 115 s) and stays quiet when every task takes
  85 s (interpolating ``histogram_quantile`` did the opposite between 60 and 120 s);
- slo.latency, on the success SLO's burn model (catalogue/burn.py): a total breach (every
  request slower than the threshold) pages within 10 minutes for objectives down to the
  lowest validation accepts; a burn rate of 1 or less neither pages nor tickets for hours;
  the period's ratio is weighted by requests (idle time counts neither way) and Sloth's
  series are labelled sloth_slo="latency"; the latency burn alerts read the conditions the
  success SLO's read at the same objective.
"""

from __future__ import annotations

import pytest

from opsgen import conventions as conv
from opsgen import pipeline
from opsgen.catalogue import burn, slo_checks
from opsgen.generate import latency, slo
from tests import prom_tools
from tests.generate.test_alerting import env, ident, input_series, rule_file, sample, service

TARGET = {"job": "api", "instance": "10.0.0.1:8080", "pod": "api-0"}  # what a scrape adds
OBJECTIVES = ("40", "80", "90.1", "95", "99", "99.9", "99.99")  # 40: the lowest accepted at the defaults
BUCKETS = (30, 60, 90, 120, 300)

CATALOGUE = """\
platform: {name: demo}
environments:
  prod: {}
services:
  - name: agent
    namespace: apps
    team: core
    metrics: {port: http, exposition: agent.prom}
    slo: {latencyP95: 90s}
""" + "".join(
    f"""  - name: api-{objective.replace(".", "-")}
    namespace: apps
    team: web
    metrics: {{port: http}}
    slo: {{latency: {{threshold: 500ms, objective: {objective}}}}}
"""
    for objective in OBJECTIVES
)
EXPOSITION = "".join(f'agent_task_duration_seconds_bucket{{le="{b}.0"}} 0\n' for b in BUCKETS) + (
    'agent_task_duration_seconds_bucket{le="+Inf"} 0\nagent_task_duration_seconds_count 0\nagent_task_duration_seconds_sum 0\n'
)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    folder = tmp_path_factory.mktemp("latency")
    (folder / "agent.prom").write_text("# TYPE agent_task_duration_seconds histogram\n" + EXPOSITION, encoding="utf-8")
    (folder / "services.yaml").write_text(CATALOGUE, encoding="utf-8")
    return pipeline.load_valid(str(folder / "services.yaml"))


def histogram(svc, minutes: list[dict[float, int]], go: bool = False) -> list[tuple[dict[str, str], str]]:
    """The cumulative series of a histogram from the requests of each minute, as
    {duration: how many}; ``le`` spelled as Go's client (45) or prometheus_client (45.0)."""
    bounds = sorted({*BUCKETS, 0.5})
    spell = (lambda b: format(b, "g")) if go else repr
    labels = {**ident(svc), **TARGET}
    totals = {b: [0] for b in bounds} | {"+Inf": [0]}
    for minute in minutes:
        for bound in totals:
            gain = sum(n for d, n in minute.items() if bound == "+Inf" or d <= bound)
            totals[bound].append(totals[bound][-1] + gain)
    out = [
        ({"__name__": "agent_task_duration_seconds_bucket", **labels, "le": b if b == "+Inf" else spell(float(b))}, v)
        for b, v in totals.items()
    ]
    out.append(({"__name__": "agent_task_duration_seconds_count", **labels}, totals["+Inf"]))
    return [(lbls, " ".join(str(x) for x in values)) for lbls, values in out]


def run(catalogue, name: str, series, alert_tests=(), expr_tests=(), tmp_path=None):
    svc = service(catalogue, name)
    rules, _ = rule_file(svc, env(catalogue, "prod"), catalogue.platform)
    test = {"interval": "1m", "input_series": input_series(series)}
    if alert_tests:
        test["alert_rule_test"] = list(alert_tests)
    if expr_tests:
        test["promql_expr_test"] = list(expr_tests)
    return prom_tools.test_rules(rules, [test], tmp_path)


def fired(svc, name: str, severity: str, team: str, **extra: str) -> dict:
    return {"exp_labels": {**ident(svc), **extra, "severity": severity, "team": team}}


def slo_labels(svc) -> dict[str, str]:
    return {
        **ident(svc),
        "sloth_id": f"apps/{svc.name}/latency",
        "sloth_service": f"apps/{svc.name}",
        "sloth_slo": "latency",
    }


# --- slo.latencyP95: the 85 s vs 115 s --------------------------------------


@prom_tools.needs_promtool
@pytest.mark.parametrize("go", [False, True], ids=["prometheus_client-le", "go-le"])
def test_ten_percent_at_115s_fires_and_everything_at_85s_does_not(catalogue, tmp_path, go):
    svc = service(catalogue, "agent")
    tail = histogram(svc, [{30: 90, 115: 10}] * 30, go)
    at_85 = histogram(svc, [{85: 100}] * 30, go)
    alert = conv.ALERT_LATENCY
    firing = [
        {"eval_time": "9m", "alertname": alert, "exp_alerts": []},  # pending: for is 10m
        {"eval_time": "15m", "alertname": alert, "exp_alerts": [fired(svc, alert, "warn", "core")]},
    ]
    result = run(catalogue, "agent", tail, firing, tmp_path=tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
    quiet = [{"eval_time": "25m", "alertname": alert, "exp_alerts": []}]
    result = run(catalogue, "agent", at_85, quiet, tmp_path=tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


def test_le_pattern_matches_every_spelling_and_no_other_bucket():
    import re

    for bound, spellings, others in [
        (90.0, ["90", "90.0", "90.00"], ["9", "900", "90.5", "190"]),
        (0.3, ["0.3", "0.30"], ["0.03", "0.35", "3"]),
        (1.0, ["1", "1.0"], ["10", "0.1"]),
        (1e6, ["1e+06", "1000000", "1000000.0"], ["1e+07"]),
    ]:
        pattern = re.compile(f"^(?:{latency.le_pattern(bound)})$")
        assert all(pattern.match(s) for s in spellings), (bound, pattern.pattern)
        assert not any(pattern.match(s) for s in others), (bound, pattern.pattern)


# --- slo.latency: a total breach pages within 10 minutes ----------------------------


@prom_tools.needs_promtool
@pytest.mark.parametrize("objective", OBJECTIVES)
def test_a_total_breach_pages_within_ten_minutes(catalogue, tmp_path, objective):
    """An hour of fast requests, then every request takes 2 s (threshold 500ms)."""
    name = f"api-{objective.replace('.', '-')}"
    svc = service(catalogue, name)
    series = histogram(svc, [{0.2: 100}] * 60 + [{2: 100}] * 15)
    alert = conv.ALERT_LATENCY_BURN_FAST
    checks = [
        {"eval_time": "59m", "alertname": alert, "exp_alerts": []},
        {
            "eval_time": "70m",
            "alertname": alert,
            "exp_alerts": [
                fired(svc, alert, "page", "web", **{k: v for k, v in slo_labels(svc).items() if k.startswith("sloth_")})
            ],
        },
    ]
    result = run(catalogue, name, series, checks, tmp_path=tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
    assert latency.time_to_page(svc, catalogue.platform) <= 600


@prom_tools.needs_promtool
@pytest.mark.parametrize("objective", ["40", "99"])
@pytest.mark.parametrize("burn", [0.8, 1.0])
def test_a_burn_rate_of_one_or_less_neither_pages_nor_tickets(catalogue, tmp_path, objective, burn):
    """Six hours with ``burn`` x the budget of requests slower than the threshold."""
    name = f"api-{objective.replace('.', '-')}"
    svc = service(catalogue, name)
    slow = round(100 * burn * latency.budget(svc), 6)
    series = histogram(svc, [{0.2: 100 - slow, 2: slow}] * 360)
    checks = [
        {"eval_time": f"{m}m", "alertname": a, "exp_alerts": []}
        for m in (30, 120, 359)
        for a in (conv.ALERT_LATENCY_BURN_FAST, conv.ALERT_LATENCY_BURN_SLOW)
    ]
    result = run(catalogue, name, series, checks, tmp_path=tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_a_burn_rate_above_one_tickets(catalogue, tmp_path):
    name = "api-99"
    svc = service(catalogue, name)
    series = histogram(svc, [{0.2: 97.5, 2: 2.5}] * 60)  # 2.5% slow against a 1% budget: burn rate 2.5
    checks = [
        {
            "eval_time": "40m",
            "alertname": conv.ALERT_LATENCY_BURN_SLOW,
            "exp_alerts": [
                fired(
                    svc,
                    conv.ALERT_LATENCY_BURN_SLOW,
                    "warn",
                    "web",
                    **{k: v for k, v in slo_labels(svc).items() if k.startswith("sloth_")},
                )
            ],
        }
    ]
    result = run(catalogue, name, series, checks, tmp_path=tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


# --- slo.latency: the budget, weighted by requests -----------------------------------


@prom_tools.needs_promtool
def test_the_period_budget_is_weighted_by_requests(catalogue, tmp_path):
    """Busy one hour in two with 6% slow requests against a 5% budget: 6% of the requests
    were slow, so the period burn rate is 1.2 and -20% of the budget remains. A mean of
    5m ratios counting idle time as 0 (Sloth's) would read about 3%, +40% remaining."""
    name = "api-95"
    svc = service(catalogue, name)
    busy, idle = [{0.2: 94, 2: 6}] * 60, [{}] * 60
    series = histogram(svc, (busy + idle) * 2)
    me = slo_labels(svc)
    ratio = selector(conv.error_ratio_record(burn.period(30)), me)
    remaining = selector(conv.SLO_BUDGET_REMAINING_RECORD, me)
    checks = [
        {
            "expr": f"count(abs({ratio} - 0.06) < 1e-9)",
            "eval_time": "240m",
            "exp_samples": [{"labels": "{}", "value": 1}],
        },
        {
            "expr": f"count(abs({remaining} + 0.2) < 1e-9)",
            "eval_time": "240m",
            "exp_samples": [{"labels": "{}", "value": 1}],
        },
        {
            "expr": conv.SLO_INFO_RECORD,
            "eval_time": "240m",
            "exp_samples": [sample(conv.SLO_INFO_RECORD, {**me, "sloth_objective": "95", "sloth_mode": "opsgen"}, 1)],
        },
        {
            "expr": conv.SLO_ERROR_BUDGET_RECORD,
            "eval_time": "240m",
            "exp_samples": [sample(conv.SLO_ERROR_BUDGET_RECORD, me, 0.05)],
        },
        # idle now: the current ratio reads 0, not NaN or nothing
        {
            "expr": conv.error_ratio_record("5m"),
            "eval_time": "235m",
            "exp_samples": [sample(conv.error_ratio_record("5m"), {**me, "sloth_window": "5m"}, 0)],
        },
    ]
    result = run(catalogue, name, series, expr_tests=checks, tmp_path=tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


def selector(metric: str, labels: dict[str, str]) -> str:
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


@prom_tools.needs_promtool
def test_latency_rules_pass_promtool_check(catalogue, tmp_path):
    for name in ("agent", "api-99"):
        rules, _ = rule_file(service(catalogue, name), env(catalogue, "prod"), catalogue.platform)
        result = prom_tools.check_rules(rules, tmp_path)
        assert result.returncode == 0, prom_tools.output(result)


def test_the_latency_burn_alerts_read_the_success_slos_conditions(catalogue):
    """One burn model: at the same objective the latency SLO pages and tickets on the pairs
    and thresholds of burn.plan that the success SLO uses (docs/alerts.md's table is both)."""
    for objective in OBJECTIVES:
        svc = service(catalogue, f"api-{objective.replace('.', '-')}")
        expected = burn.plan(float(objective), catalogue.platform.slo_days, slo.interval(svc), slo_checks.page_for())
        assert latency.plan(svc, catalogue.platform) == expected
        for name, success in latency.SAME_PAIRS.items():
            assert latency.conditions(svc, catalogue.platform, name) == tuple(
                c for c in expected.conditions if c.alert == success
            )


def test_an_environment_sets_its_own_latency_objective(write_catalogue):
    """services[].environments.<env>.slo.latency merges over the service's: dev keeps the
    threshold and relaxes the objective, and its rules follow."""
    text = (
        "platform: {name: demo}\nenvironments:\n  dev: {}\n  prod: {}\nservices:\n"
        "  - name: api\n    namespace: apps\n    team: web\n    metrics: {port: http}\n"
        "    slo: {latency: {threshold: 500ms, objective: 99.9}}\n"
        "    environments:\n      dev: {slo: {latency: {objective: 95}}}\n"
    )
    catalogue = pipeline.load_valid(str(write_catalogue(text)))
    dev, prod = (service(catalogue, "api", name) for name in ("dev", "prod"))
    assert (dev.slo.latency.threshold, dev.slo.latency.objective) == ("500ms", 95)
    assert prod.slo.latency.objective == 99.9
    fast = conv.ALERT_LATENCY_BURN_FAST
    assert [c.threshold for c in latency.conditions(dev, catalogue.platform, fast)] == pytest.approx([0.075, 0.3])
    assert [c.threshold for c in latency.conditions(prod, catalogue.platform, fast)] == pytest.approx([0.0144, 0.006])
    info = [r for r in latency.constant_rules(dev, catalogue.platform) if r.record == conv.SLO_INFO_RECORD]
    assert dict(info[0].labels)["sloth_objective"] == "95"
