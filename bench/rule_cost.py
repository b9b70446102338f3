"""What opsgen's rules cost Prometheus against Sloth's for the same SLOs (issue 22).

A real Prometheus (Debian's 2.42) on loopback, with a few days of backfilled
history for N services (their task counters, and the recorded series that rules
read over a range, at the interval of the group that records them). Each rule's
expression is evaluated once with ``query?stats=all``, whose
``totalQueryableSamples`` is deterministic for the same data; weighted by its
group's evaluations per minute, that is the samples the rule reads per minute.
The same for Sloth-shaped rules of the same SLOs (Sloth v0.11.0's generated
rules, examples/_gen/getting-started.yml, as data below), in a Prometheus of
their own.

    .venv/bin/python bench/rule_cost.py [--services N] [--days D]

Prints a markdown table (docs/performance.md, "Rule cost").
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import promql_parser
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opsgen import conventions as conv  # noqa: E402
from opsgen.catalogue.promql import nodes  # noqa: E402
from opsgen.pipeline import load_valid, synthesize  # noqa: E402
from tests.e2e.processes import Processes  # noqa: E402
from tests.e2e.prometheus import History, Prometheus, constant, counter  # noqa: E402

DEFAULT_INTERVAL = 30.0  # kube-prometheus-stack's evaluationInterval: groups without their own
SCRAPE = 30.0  # seconds between backfilled samples of the services' counters
REQUESTS_PER_SECOND = 2.0
FAILURE_RATIO = 0.005
OBJECTIVE = 99.0

# Sloth v0.11.0's rules for one availability SLO (examples/_gen/getting-started.yml): the
# error ratio per window, the period's ratio as the mean of the 5m ratio, seven meta series,
# a page (14.4x over 1h and 5m, 6x over 6h and 30m) and a ticket (3x over 1d and 2h, 1x over
# 3d and 6h), in three groups at the default interval.
SLOTH_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
SLOTH_PERIOD = "30d"
SLOTH_PAGE = ((14.4, "5m", "1h"), (6, "30m", "6h"))
SLOTH_TICKET = ((3, "2h", "1d"), (1, "6h", "3d"))


@dataclass(frozen=True)
class Rule:
    group: str
    interval: float
    name: str  # record or alert
    expr: str
    labels: tuple[tuple[str, str], ...]
    recording: bool


def catalogue_text(services: int) -> str:
    entries = [
        {
            "name": f"svc-{i:03d}",
            "namespace": f"ns-{i % 5}",
            "team": f"team-{i % 3}",
            "metrics": {"port": "http"},
            "slo": {"successRate": OBJECTIVE},
        }
        for i in range(services)
    ]
    return yaml.safe_dump({"platform": {"name": "bench"}, "services": entries}, sort_keys=False)


def opsgen_rules(folder: Path, services: int) -> list[Rule]:
    """Every rule of the services' PrometheusRules, as opsgen synthesizes them."""
    path = folder / "services.yaml"
    path.write_text(catalogue_text(services), encoding="utf-8")
    out: list[Rule] = []
    for name, data in sorted(synthesize(load_valid(str(path))).files.items()):
        for doc in yaml.safe_load_all(data):
            if doc and doc.get("kind") == "PrometheusRule" and not name.startswith(("monitoring/", "_")):
                out += _rules(doc["spec"]["groups"])
    return out


def _rules(groups: list[dict[str, Any]]) -> list[Rule]:
    out = []
    for group in groups:
        interval = _seconds(group.get("interval")) or DEFAULT_INTERVAL
        for rule in group["rules"]:
            name = rule.get("record") or rule["alert"]
            labels = tuple(sorted((rule.get("labels") or {}).items()))
            out.append(Rule(group["name"], interval, name, rule["expr"], labels, "record" in rule))
    return out


def _seconds(text: str | None) -> float | None:
    if not text:
        return None
    from opsgen import durations

    return durations.seconds(text)


def sloth_rules(services: int) -> list[Rule]:
    out: list[Rule] = []
    for i in range(services):
        ns, svc = f"ns-{i % 5}", f"svc-{i:03d}"
        out += _rules(sloth_groups(ns, svc))
    return out


def sloth_groups(namespace: str, service: str) -> list[dict[str, Any]]:
    """Sloth's three groups for the SLO of one service, its SLI on that service's counter."""
    slo = "requests-availability"
    ident = {"sloth_id": f"{service}-{slo}", "sloth_service": service, "sloth_slo": slo}
    sel = ", ".join(f'{k}="{v}"' for k, v in ident.items())
    counter = f'agent_tasks_total{{namespace="{namespace}",service="{service}"'
    budget = 1 - OBJECTIVE / 100

    def ratio(w: str) -> str:
        return f'(sum(rate({counter},outcome="failure"}}[{w}])))\n/\n(sum(rate({counter}}}[{w}])))'

    sli = [
        {"record": conv.error_ratio_record(w), "expr": ratio(w), "labels": {**ident, "sloth_window": w}}
        for w in SLOTH_WINDOWS
    ]
    short = f"slo:sli_error:ratio_rate5m{{{sel}}}"
    sli.append(
        {
            "record": conv.error_ratio_record(SLOTH_PERIOD),
            "labels": {**ident, "sloth_window": SLOTH_PERIOD},
            "expr": f"sum_over_time({short}[{SLOTH_PERIOD}])\n/ ignoring (sloth_window)\ncount_over_time({short}[{SLOTH_PERIOD}])",
        }
    )
    on = "on(sloth_id, sloth_slo, sloth_service) group_left"
    meta = [
        ("slo:objective:ratio", f"vector({OBJECTIVE / 100})"),
        ("slo:error_budget:ratio", f"vector(1-{OBJECTIVE / 100})"),
        ("slo:time_period:days", "vector(30)"),
        ("slo:current_burn_rate:ratio", f"{short}\n/ {on}\nslo:error_budget:ratio{{{sel}}}"),
        (
            "slo:period_burn_rate:ratio",
            f"slo:sli_error:ratio_rate30d{{{sel}}}\n/ {on}\nslo:error_budget:ratio{{{sel}}}",
        ),
        ("slo:period_error_budget_remaining:ratio", f"1 - slo:period_burn_rate:ratio{{{sel}}}"),
        ("sloth_slo_info", "vector(1)"),
    ]

    def alert(name: str, pairs: tuple[tuple[float, str, str], ...]) -> dict[str, Any]:
        sides = [
            " and ".join(
                f"max(slo:sli_error:ratio_rate{w}{{{sel}}} > ({f} * {budget})) without (sloth_window)" for w in (s, lo)
            )
            for f, s, lo in pairs
        ]
        return {"alert": name, "expr": " or ".join(f"({x})" for x in sides)}

    return [
        {"name": f"sloth-slo-sli-recordings-{service}-{slo}", "rules": sli},
        {
            "name": f"sloth-slo-meta-recordings-{service}-{slo}",
            "rules": [{"record": r, "expr": e, "labels": ident} for r, e in meta],
        },
        {
            "name": f"sloth-slo-alerts-{service}-{slo}",
            "rules": [alert("Page", SLOTH_PAGE), alert("Ticket", SLOTH_TICKET)],
        },
    ]


def history(rules: list[Rule], services: int, start: float, end: float) -> History:
    """The services' counters, and every recorded series that a rule reads over a range."""
    out = History()
    for i in range(services):
        ident = {"namespace": f"ns-{i % 5}", "service": f"svc-{i:03d}", "job": f"svc-{i:03d}"}
        out.add(
            "agent_tasks_total",
            {**ident, "outcome": "success"},
            counter(start, end, SCRAPE, REQUESTS_PER_SECOND * (1 - FAILURE_RATIO)),
        )
        out.add(
            "agent_tasks_total",
            {**ident, "outcome": "failure"},
            counter(start, end, SCRAPE, REQUESTS_PER_SECOND * FAILURE_RATIO),
        )
        out.add("up", ident, constant(start, end, SCRAPE, 1))
    for name, seconds in _ranged_records(rules).items():
        for rule in (r for r in rules if r.recording and r.name == name):
            out.add(name, dict(rule.labels), constant(max(start, end - seconds), end, rule.interval, FAILURE_RATIO))
    return out


def _ranged_records(rules: list[Rule]) -> dict[str, float]:
    """Recorded metric -> the longest range any rule reads it over."""
    recorded = {r.name for r in rules if r.recording}
    out: dict[str, float] = {}
    for rule in rules:
        for node in nodes(promql_parser.parse(rule.expr)):
            if isinstance(node, promql_parser.MatrixSelector) and node.vector_selector.name in recorded:
                name = node.vector_selector.name
                out[name] = max(out.get(name, 0.0), node.range.total_seconds())
    return out


def measure(rules: list[Rule], services: int, days: float, workdir: Path) -> dict[str, float]:
    end = time.time() - 120
    history(rules, services, end - days * 86400, end).write_blocks(workdir / "data")
    processes = Processes()
    try:
        prom = Prometheus.start(processes, workdir, {"global": {"scrape_interval": "1h"}}, {})
        per_minute = reads = 0.0
        for rule in rules:
            stats = prom.api("query", query=rule.expr, time=f"{end:.3f}", stats="all")["stats"]["samples"]
            reads += stats["totalQueryableSamples"]
            per_minute += stats["totalQueryableSamples"] * 60 / rule.interval
    finally:
        processes.stop_all()
    records = sum(r.recording for r in rules)
    groups = len({r.group for r in rules})
    return {
        "samples/min": per_minute,
        "samples/cycle": reads,
        "records": records,
        "alerts": len(rules) - records,
        "groups": groups,
    }


def rows(services: int, days: float) -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="opsgen-rule-cost-") as tmp:
        ours = measure(opsgen_rules(Path(tmp), services), services, days, Path(tmp) / "opsgen")
        theirs = measure(sloth_rules(services), services, days, Path(tmp) / "sloth")
    yield f"{services} services, one success-rate SLO each, {days:g} days of history\n"
    yield "| per SLO | opsgen | Sloth v0.11.0 | opsgen / Sloth |"
    yield "|---|---|---|---|"
    for key in ("samples/min", "samples/cycle", "records", "alerts", "groups"):
        a, b = ours[key] / services, theirs[key] / services
        yield f"| {key} | {a:,.1f} | {b:,.1f} | {a / b:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=20)
    parser.add_argument("--days", type=float, default=3.0)
    args = parser.parse_args()
    for line in rows(args.services, args.days):
        print(line)


if __name__ == "__main__":
    main()
