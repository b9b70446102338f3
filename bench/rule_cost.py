"""Rule-cost benchmark (issue 22): the samples the SLO rules read per minute, opsgen's
against Sloth-shaped rules of the same SLOs, on a real Prometheus.

A Prometheus 2.42 on 127.0.0.1 (no rules loaded) gets ``--days`` of backfilled history
for ``--services`` services (a requests counter with success and failure series, scraped
every 30s, and the 5m ratio Sloth's period rule reads, as Prometheus would have recorded
it); every rule's expression is then run once with ``query?stats=all`` at the end of the
history, and its ``totalQueryableSamples`` (deterministic) is weighted by its group's
evaluations per minute (60 / interval; 30s where a group sets none, kube-prometheus-stack's
evaluationInterval). Recorded series per SLO are counted from the rules themselves.

Sloth's rules are written here as data, from the shape Sloth v0.11.0 generates for a
ratio SLI (its examples/_gen/getting-started.yml): one group of window ratios, one of
meta series (the period ratio the mean of the recorded 5m ratios), one of alerts, all at
the default interval; no code of Sloth is used.

    .venv/bin/python bench/rule_cost.py --services 10 --days 3     # prints the table
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opsgen import pipeline  # noqa: E402
from opsgen.generate import alerting  # noqa: E402
from tests.e2e.processes import Processes  # noqa: E402
from tests.e2e.prometheus import History, Prometheus, counter, constant  # noqa: E402

OBJECTIVE = 99.9
STEP = 30.0  # scrape interval of the history, and the default evaluation interval
SLOTH_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
SLOTH_PAIRS = (("page", 14.4, "1h", "5m"), ("page", 6, "6h", "30m"), ("ticket", 3, "1d", "2h"), ("ticket", 1, "3d", "6h"))


def catalogue_text(services: int) -> str:
    lines = ["platform: {name: bench}", "services:"]
    for i in range(services):
        lines += [f"  - name: svc-{i}", "    namespace: bench", "    team: t", "    metrics: {port: http}",
                  f"    slo: {{successRate: {OBJECTIVE}}}"]
    return "\n".join(lines) + "\n"


def opsgen_rules(services: int, workdir: Path) -> list[tuple[str, str | None, str]]:
    """(expr, record name or None, group interval) of every rule opsgen writes."""
    path = workdir / "services.yaml"
    path.write_text(catalogue_text(services), encoding="utf-8")
    catalogue = pipeline.load_valid(str(path))
    (env,) = catalogue.environments
    out = []
    for service in env.services:
        for group in alerting.service_groups(service, env, catalogue.platform):
            out += [(rule.expr, rule.record, group.interval or "30s") for rule in group.rules]
    return out


def _sloth_selector(metric: str, i: int, **extra: str) -> str:
    labels = {"sloth_id": f"bench-svc-{i}-success-rate", "sloth_service": f"svc-{i}", "sloth_slo": "success-rate", **extra}
    return metric + "{" + ",".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def sloth_rules(services: int) -> list[tuple[str, str | None, str]]:
    """Sloth's rules for the same SLOs (30d period), as data."""
    budget = round(1 - OBJECTIVE / 100, 6)
    out: list[tuple[str, str | None, str]] = []
    for i in range(services):
        ident = f'namespace="bench",service="svc-{i}"'
        for w in SLOTH_WINDOWS:
            expr = (f'(sum(rate(agent_tasks_total{{{ident},outcome="failure"}}[{w}])))\n/\n'
                    f"(sum(rate(agent_tasks_total{{{ident}}}[{w}])))")
            out.append((expr, f"slo:sli_error:ratio_rate{w}", "30s"))
        ratio5m = _sloth_selector("slo:sli_error:ratio_rate5m", i)
        on = "on(sloth_id, sloth_slo, sloth_service) group_left"
        out += [
            (f"sum_over_time({ratio5m}[30d])\n/ ignoring (sloth_window)\ncount_over_time({ratio5m}[30d])", "slo:sli_error:ratio_rate30d", "30s"),
            (f"vector({OBJECTIVE / 100})", "slo:objective:ratio", "30s"),
            (f"vector({budget})", "slo:error_budget:ratio", "30s"),
            ("vector(30)", "slo:time_period:days", "30s"),
            (f"{ratio5m}\n/ {on}\n{_sloth_selector('slo:error_budget:ratio', i)}", "slo:current_burn_rate:ratio", "30s"),
            (f"{_sloth_selector('slo:sli_error:ratio_rate30d', i)}\n/ {on}\n{_sloth_selector('slo:error_budget:ratio', i)}", "slo:period_burn_rate:ratio", "30s"),
            (f"1 - {_sloth_selector('slo:period_burn_rate:ratio', i)}", "slo:period_error_budget_remaining:ratio", "30s"),
            ("vector(1)", "sloth_slo_info", "30s"),
        ]
        for severity in ("page", "ticket"):
            sides = []
            for _, factor, long, short in (p for p in SLOTH_PAIRS if p[0] == severity):
                def side(w: str) -> str:
                    return f"max({_sloth_selector(f'slo:sli_error:ratio_rate{w}', i)} > ({factor} * {budget})) without (sloth_window)"
                sides.append(f"({side(short)}\nand\n{side(long)})")
            out.append(("\nor\n".join(sides), None, "30s"))
    return out


def history(services: int, days: float, end: float) -> History:
    """Counters (0.1 % failures, one request a second) and Sloth's recorded 5m ratio."""
    out = History()
    start = end - days * 86400
    for i in range(services):
        target = {"namespace": "bench", "service": f"svc-{i}", "job": f"svc-{i}", "instance": f"10.0.0.{i}:8080", "pod": f"svc-{i}-0"}
        out.add("agent_tasks_total", target | {"outcome": "success"}, counter(start, end, STEP, 0.999))
        out.add("agent_tasks_total", target | {"outcome": "failure"}, counter(start, end, STEP, 0.001))
        sloth = {"namespace": "bench", "service": f"svc-{i}", "sloth_id": f"bench-svc-{i}-success-rate", "sloth_service": f"svc-{i}",
                 "sloth_slo": "success-rate", "sloth_window": "5m"}
        out.add("slo:sli_error:ratio_rate5m", sloth, constant(start, end, STEP, 0.001))
    return out


def samples(url: str, expr: str, at: float) -> int:
    query = urllib.parse.urlencode({"query": expr, "time": f"{at:.3f}", "stats": "all"})
    with urllib.request.urlopen(f"{url}/api/v1/query?{query}", timeout=120) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return int(body["data"]["stats"]["samples"]["totalQueryableSamples"])


def cost(url: str, rules: list[tuple[str, str | None, str]], at: float) -> tuple[float, int]:
    """(samples read per minute, recorded series) of ``rules``."""
    from opsgen import durations

    per_minute = sum(samples(url, expr, at) * 60 / durations.seconds(interval) for expr, _, interval in rules)
    return per_minute, sum(1 for _, record, _ in rules if record)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--days", type=float, default=3)
    args = parser.parse_args(argv)
    processes = Processes()
    with tempfile.TemporaryDirectory(prefix="opsgen-rule-cost-") as tmp:
        try:
            work = Path(tmp)
            end = time.time() - 60
            history(args.services, args.days, end).write_blocks(work / "prometheus" / "data")
            config = {"global": {"scrape_interval": "30s", "evaluation_interval": "30s"}, "scrape_configs": []}
            server = Prometheus.start(processes, work / "prometheus", config, {})
            ours, sloth = cost(server.url, opsgen_rules(args.services, work), end), cost(server.url, sloth_rules(args.services), end)
        finally:
            processes.stop_all()
    n = args.services
    print(f"{n} services, {args.days:g} days of history, objective {OBJECTIVE}, rules evaluated at {time.strftime('%Y-%m-%d')}")
    print("| rules | samples read per minute per SLO | recorded series per SLO |")
    print("|---|---:|---:|")
    for name, (per_minute, series) in (("opsgen", ours), ("Sloth-shaped", sloth)):
        print(f"| {name} | {per_minute / n:,.0f} | {series / n:.1f} |")
    print(f"| opsgen / Sloth | {ours[0] / sloth[0]:.2f}x | {ours[1] / sloth[1]:.2f}x |")


if __name__ == "__main__":
    main(sys.argv[1:])
