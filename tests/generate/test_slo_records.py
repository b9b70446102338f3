"""The SLO series, fed as real exporters send them, proven with ``promtool test rules``.

- prometheus_client creates a labelled series on first use: a healthy service has no
  ``outcome="failure"`` series, and its error ratios must read 0, never nothing;
- kafka_exporter v1.9.0 reports lag -1 for partitions the group never committed: they
  must not cancel real backlog;
- the error-budget series Sloth records (names and labels as slok/sloth's generator
  writes them), with values checked after a known outage.
"""

from __future__ import annotations

import pytest

from opsgen import conventions as conv
from opsgen.catalogue import burn as burns
from opsgen.generate import slo
from tests import prom_tools
from tests.generate.test_alerting import (  # noqa: F401  (catalogue_path, catalogue: fixtures)
    catalogue,
    catalogue_path,
    env,
    ident,
    input_series,
    rule_file,
    sample,
    service,
)

TASKS = "agent_tasks_total"
TARGET = {"job": "worker", "instance": "10.0.0.1:8080", "pod": "worker-0"}  # what a scrape adds


def sloth(svc) -> dict[str, str]:
    return {
        **ident(svc),
        "sloth_id": f"{svc.namespace}/{svc.name}/success-rate",
        "sloth_service": f"{svc.namespace}/{svc.name}",
        "sloth_slo": "success-rate",
    }


def ratio(svc, window: str) -> dict[str, str]:
    return {**sloth(svc), "sloth_window": window}


def burn(svc, window: str) -> dict[str, str]:
    """Sloth's burn rates keep the labels of their error ratio, sloth_window included."""
    return ratio(svc, window)


def values(per_minute: list[float]) -> str:
    """A counter's promtool values from what it gains each minute (starting at 0)."""
    total, out = 0.0, ["0"]
    for gain in per_minute:
        total += gain
        out.append(format(total, "g"))
    return " ".join(out)


def run(catalogue, name: str, series, checks, tmp_path):
    svc = service(catalogue, name)
    rules, _ = rule_file(svc, env(catalogue, "prod"), catalogue.platform)
    tests = [{"interval": "1m", "input_series": input_series(series), "promql_expr_test": checks}]
    return prom_tools.test_rules(rules, tests, tmp_path)


def check(expr: str, at: str, *samples: dict) -> dict:
    return {"expr": expr, "eval_time": at, "exp_samples": list(samples)}


# --- what is recorded ----------------------------------------------------------


def recording_rules(svc, platform):
    return slo.fast_rules(svc, platform) + slo.long_rules(svc, platform) + slo.constant_rules(svc, platform)


def test_every_ratio_and_sloth_series_per_slo(catalogue):
    """Sloth's 15 series per SLO: 7 windows and the period, 7 more; the fast ones first."""
    svc = service(catalogue, "worker")
    rules = recording_rules(svc, catalogue.platform)
    fast, slow = ("5m", "30m", "1h"), ("2h", "6h", "1d", "3d", "30d")
    assert [r.record for r in rules] == [f"slo:sli_error:ratio_rate{w}" for w in fast] + [
        "slo:current_burn_rate:ratio"
    ] + [f"slo:sli_error:ratio_rate{w}" for w in slow] + [
        "slo:period_burn_rate:ratio",
        "slo:period_error_budget_remaining:ratio",
        "slo:objective:ratio",
        "slo:error_budget:ratio",
        "slo:time_period:days",
        "sloth_slo_info",
    ]
    ratios = [r for r in rules if r.record.startswith("slo:sli_error")]
    assert [dict(r.labels) for r in ratios] == [ratio(svc, w) for w in fast + slow]
    assert all(dict(r.labels) == sloth(svc) for r in rules if r not in ratios and r.record != "sloth_slo_info")
    assert dict(rules[-1].labels) == {**sloth(svc), "sloth_objective": "95", "sloth_mode": "opsgen"}
    assert set(r.record for r in rules) <= set(conv.recorded_metrics(fast + slow))


def test_no_slo_series_without_a_success_rate(catalogue):
    assert recording_rules(service(catalogue, "zero"), catalogue.platform) == ()


def test_sloth_id_is_unique_across_namespaces(catalogue):
    worker = service(catalogue, "worker")
    assert conv.sloth_id(worker) == "apps/worker/success-rate"


def test_sloth_ids_and_services_do_not_collide_by_joining(catalogue):
    """('a-b', 'c') and ('a', 'b-c') joined with '-' were one sloth_id; two 'api' in two
    namespaces were one sloth_service (Sloth's dashboards select on it)."""
    from dataclasses import replace

    worker = service(catalogue, "worker")
    one, two = replace(worker, namespace="a-b", name="c"), replace(worker, namespace="a", name="b-c")
    assert conv.sloth_id(one) != conv.sloth_id(two)
    assert conv.sloth_service(replace(worker, namespace="x")) != conv.sloth_service(replace(worker, namespace="y"))


# --- prometheus_client: no failure series until the first failure --------------


@prom_tools.needs_promtool
def test_absent_failure_series_reads_zero_failures(catalogue, tmp_path):
    """A healthy agent exports only outcome="success": every ratio is 0, the burn rate 0
    and the whole budget remains (before: every ratio was empty)."""
    svc = service(catalogue, "worker")
    ok = {"__name__": TASKS, **ident(svc), **TARGET, "outcome": "success"}
    checks = [
        check(conv.error_ratio_record(w), "60m", sample(conv.error_ratio_record(w), ratio(svc, w), 0))
        for w in (*burns.windows(30), burns.period(30))
    ]
    checks += [
        check(conv.SLO_CURRENT_BURN_RECORD, "60m", sample(conv.SLO_CURRENT_BURN_RECORD, burn(svc, "5m"), 0)),
        check(conv.SLO_PERIOD_BURN_RECORD, "60m", sample(conv.SLO_PERIOD_BURN_RECORD, burn(svc, "30d"), 0)),
        check(conv.SLO_BUDGET_REMAINING_RECORD, "60m", sample(conv.SLO_BUDGET_REMAINING_RECORD, burn(svc, "30d"), 1)),
    ]
    result = run(catalogue, "worker", [(ok, "0+100x70")], checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_an_idle_agent_reads_zero_and_keeps_its_budget(catalogue, tmp_path):
    """No task for a while (an idle Kafka consumer): 0/0 would record NaN, and Sloth's
    period ratio (the mean of the 5m ratios) would stay NaN for 30 days (slok/sloth
    issues 231, 531). An idle window reads 0 failures instead."""
    svc = service(catalogue, "worker")
    ok = {"__name__": TASKS, **ident(svc), **TARGET, "outcome": "success"}
    failed = {**ok, "outcome": "failure"}
    series = [(ok, "0+100x20 2000+0x50"), (failed, "0+1x20 20+0x50")]  # 1% failed, then idle from minute 20
    checks = [
        check(conv.error_ratio_record("5m"), "60m", sample(conv.error_ratio_record("5m"), ratio(svc, "5m"), 0)),
        check(conv.SLO_CURRENT_BURN_RECORD, "60m", sample(conv.SLO_CURRENT_BURN_RECORD, burn(svc, "5m"), 0)),
        # a number (about 0.92: 25 windows at 1% of 60), not NaN (NaN > 0 is false)
        check(f"count({conv.SLO_BUDGET_REMAINING_RECORD} > 0)", "60m", {"labels": "{}", "value": 1}),
    ]
    result = run(catalogue, "worker", series, checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_failure_series_appearing_with_the_first_failure_counts(catalogue, tmp_path):
    """The failure series starts to exist mid-way (prometheus_client's first inc()): from
    then on the ratio reads it, before it the ratio is 0."""
    svc = service(catalogue, "worker")
    ok = {"__name__": TASKS, **ident(svc), **TARGET, "outcome": "success"}
    failed = {**ok, "outcome": "failure"}
    series = [(ok, "0+90x40"), (failed, "_x20 10+10x20")]  # from minute 20: 10 of 100 tasks fail
    checks = [
        check(conv.error_ratio_record("5m"), "10m", sample(conv.error_ratio_record("5m"), ratio(svc, "5m"), 0)),
        check(conv.error_ratio_record("5m"), "35m", sample(conv.error_ratio_record("5m"), ratio(svc, "5m"), 0.1)),
    ]
    result = run(catalogue, "worker", series, checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


# --- kafka_exporter: lag -1 for partitions never committed -----------------------


@prom_tools.needs_promtool
def test_lag_of_uncommitted_partitions_is_ignored(catalogue, tmp_path):
    svc = service(catalogue, "worker")
    lag = {"__name__": "kafka_consumergroup_lag", "consumergroup": "worker", "topic": "jobs", "job": "kafka-exporter"}
    series = [
        ({**lag, "partition": "0"}, "30x10"),
        ({**lag, "partition": "1"}, "-1x10"),
        ({**lag, "partition": "2"}, "-1x10"),
    ]
    checks = [check(conv.KAFKA_LAG_RECORD, "5m", sample(conv.KAFKA_LAG_RECORD, ident(svc), 30))]
    result = run(catalogue, "worker", series, checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


# --- Sloth's error-budget series after a known outage --------------------------------


def outage_series(svc, healthy_before: int, outage: int, healthy_after: int):
    """100 tasks a minute; during the outage every task fails. The failure series exists
    from the start (the agent initialised it), so the ratios are exact."""
    minutes = [False] * healthy_before + [True] * outage + [False] * healthy_after
    ok = {"__name__": TASKS, **ident(svc), **TARGET, "outcome": "success"}
    failed = {**ok, "outcome": "failure"}
    return [
        (ok, values([0 if bad else 100 for bad in minutes])),
        (failed, values([100 if bad else 0 for bad in minutes])),
    ]


@prom_tools.needs_promtool
def test_budget_and_burn_rates_after_a_known_outage(catalogue, tmp_path):
    """Two minutes of total outage (minutes 51 and 52) in 100 minutes of 100 tasks a minute.
    Each failed minute lies in five 5m windows at 100/500 failed: the 5m ratios sum to 2
    over the 100 samples recorded, so the period ratio is 0.02; with a 5% budget (worker,
    successRate 95) the period burn rate is 0.4 and 60% of the budget remains. At minute 53
    the 5m window holds both failed minutes: 200/500 = 0.4, a current burn rate of 8."""
    svc = service(catalogue, "worker")
    me = sloth(svc)
    period_burn = 0.02 / 0.05  # 0.4 in float64, as Prometheus computes it (0.39999999999999997)
    checks = [
        check(conv.error_ratio_record("5m"), "53m", sample(conv.error_ratio_record("5m"), ratio(svc, "5m"), 0.4)),
        check(conv.SLO_CURRENT_BURN_RECORD, "53m", sample(conv.SLO_CURRENT_BURN_RECORD, burn(svc, "5m"), 8)),
        check(conv.error_ratio_record("30d"), "100m", sample(conv.error_ratio_record("30d"), ratio(svc, "30d"), 0.02)),
        check(conv.SLO_PERIOD_BURN_RECORD, "100m", sample(conv.SLO_PERIOD_BURN_RECORD, burn(svc, "30d"), period_burn)),
        check(
            conv.SLO_BUDGET_REMAINING_RECORD,
            "100m",
            sample(conv.SLO_BUDGET_REMAINING_RECORD, burn(svc, "30d"), 1 - period_burn),
        ),
        check(conv.SLO_CURRENT_BURN_RECORD, "100m", sample(conv.SLO_CURRENT_BURN_RECORD, burn(svc, "5m"), 0)),
        check(conv.SLO_OBJECTIVE_RATIO_RECORD, "100m", sample(conv.SLO_OBJECTIVE_RATIO_RECORD, me, 0.95)),
        check(conv.SLO_ERROR_BUDGET_RECORD, "100m", sample(conv.SLO_ERROR_BUDGET_RECORD, me, 0.05)),
        check(conv.SLO_TIME_PERIOD_RECORD, "100m", sample(conv.SLO_TIME_PERIOD_RECORD, me, 30)),
        check(
            conv.SLO_INFO_RECORD,
            "100m",
            sample(conv.SLO_INFO_RECORD, {**me, "sloth_objective": "95", "sloth_mode": "opsgen"}, 1),
        ),
    ]
    result = run(catalogue, "worker", outage_series(svc, 50, 2, 48), checks, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
@pytest.mark.parametrize("name", ["worker", "api"])
def test_slo_series_pass_promtool_check(name, catalogue, tmp_path):
    rules, _ = rule_file(service(catalogue, name), env(catalogue, "prod"), catalogue.platform)
    result = prom_tools.check_rules(rules, tmp_path)
    assert result.returncode == 0, prom_tools.output(result)
