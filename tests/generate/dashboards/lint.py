"""grafana/dashboard-linter's rules, as Python checks over dashboard JSON.

Each ``rule_*`` function takes the dashboard (parsed JSON) and returns messages;
an empty list passes. Names follow the linter (github.com/grafana/dashboard-linter,
lint/rule_*.go). Two rules are adapted, as the linter's own ``.lint`` exclusions
would be, with the reason written down here:

- template-job-rule / template-instance-rule and target-job-rule /
  target-instance-rule: the catalogue identifies a service's series by
  ``namespace`` and ``service`` (services.yaml contract), not ``job`` and
  ``instance``. So the dashboards have ``namespace`` and ``service`` variables
  (multi-select, All = ``.+``, as the linter asks of job/instance), and every
  selector must match on them. They query the recorded ``opsgen:service_info``
  (a constant, so a service scaled to zero can still be picked) and refresh on
  time range change. Exporter series name the service by another label
  (IDENTITY below), or not at all (EXEMPT, each with its reason); the series
  opsgen records per service (``opsgen:*``) carry namespace and service.
- panel-units-rule: Grafana's unit list is long; VALID_UNITS holds the part of it
  these dashboards may use, and heatmaps (which the linter skips) must set a
  y-axis unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import promql_parser

RATE_INTERVAL_SAMPLE = "4242s"  # an odd duration: any other range in rate() is a hard-coded one
VARIABLE = re.compile(r"\$(\w+)|\$\{(\w+)\}")

VALID_UNITS = frozenset(
    {
        "none",
        "short",
        "percent",
        "percentunit",
        "s",
        "ms",
        "ops",
        "reqps",
        "cps",
        "bytes",
        "currencyUSD",
        "bool",
        "bool_on_off",
        "bool_yes_no",
    }
)

# Per metric (or metric prefix): the labels whose matchers must reference $namespace and $service.
IDENTITY: dict[str, tuple[str, str]] = {
    "kube_horizontalpodautoscaler_": ("namespace", "horizontalpodautoscaler"),
    "keda_": ("exported_namespace", "scaledObject"),  # KEDA's ServiceMonitor does not honour labels
}
DEFAULT_IDENTITY = ("namespace", "service")
EXEMPT: dict[str, str] = {  # metric prefix -> why it carries no namespace/service matchers
    "kafka_topic_partition_": "kafka-exporter topics are platform-wide pipeline stages; selected by topic",
    "opsgen:pipeline_": "the recorded stage order of the pipeline's topics: platform-wide, labelled by topic",
    "node_": "Kubecost node prices belong to nodes, not to a namespace or service",
    "container_cpu_allocation": "Kubecost allocations have no service label; narrowed by namespace only",
    "container_memory_allocation_bytes": "Kubecost allocations have no service label; narrowed by namespace only",
    "container_gpu_allocation": "Kubecost allocations have no service label; narrowed by namespace only",
    "kube_persistentvolumeclaim_info": "a claim belongs to a namespace, not a service; narrowed by namespace only",
    "kube_persistentvolume_capacity_bytes": "volumes are cluster-wide; joined to the namespace's claims",
    "pv_hourly_cost": "Kubecost volume prices belong to volumes; joined to the namespace's claims",
    "kafka_consumergroup_": "kafka-exporter's own namespace and service; joined to the service through opsgen:kafka_consumer_info",
}
NAMESPACE_ONLY = ("container_", "kube_persistentvolumeclaim_")  # of the exempt: still need the $namespace matcher


def panels(dashboard: dict) -> list[dict]:
    """Every panel, rows' children included."""
    out = []
    for panel in dashboard.get("panels", []):
        out.append(panel)
        out.extend(panel.get("panels", []))
    return [p for p in out if p.get("type") != "row"]


def targets(dashboard: dict) -> Iterator[tuple[dict, dict]]:
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            yield panel, target


def variables(dashboard: dict) -> list[dict]:
    return dashboard.get("templating", {}).get("list", [])


def expand(expr: str, values: dict[str, str]) -> str:
    """``expr`` with every $var / ${var} replaced by ``values[var]`` (KeyError for an unknown
    one). ``$1``, a regex group in label_replace's replacement, stays: Grafana has no
    variable of that name and leaves it as it is."""

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return match.group(0) if name.isdigit() else values[name]

    return VARIABLE.sub(value, expr)


# --- dashboard rules --------------------------------------------------------


def rule_template_datasource(dashboard: dict) -> list[str]:
    found = [v for v in variables(dashboard) if v.get("type") == "datasource"]
    if len(found) != 1:
        return [f"wants one datasource variable, has {len(found)}"]
    v = found[0]
    problems = []
    if v.get("query") != "prometheus":
        problems.append(f"datasource variable is of type {v.get('query')!r}, not prometheus")
    if v.get("name") not in ("datasource", "prometheus_datasource"):
        problems.append(f"datasource variable named {v.get('name')!r}, should be 'datasource'")
    if v.get("label") not in ("Data source", "Prometheus data source"):
        problems.append(f"datasource variable labelled {v.get('label')!r}, should be 'Data source'")
    return problems


def _identity_variable(dashboard: dict, name: str) -> list[str]:
    found = [v for v in variables(dashboard) if v.get("name") == name]
    if not found:
        return [f"is missing the {name} variable"]
    v, problems = found[0], []
    if v.get("label") != name.title():
        problems.append(f"{name} variable should be labelled {name.title()!r}")
    if not v.get("multi") or not v.get("includeAll"):
        problems.append(f"{name} variable should be multi-select with All")
    if v.get("allValue") != ".+":
        problems.append(f"{name} variable allValue should be '.+', is {v.get('allValue')!r}")
    if v.get("type") == "query" and (v.get("datasource") or {}).get("uid") not in ("$datasource", "${datasource}"):
        problems.append(f"{name} variable should query the $datasource")
    return problems


def rule_template_identity(dashboard: dict) -> list[str]:
    """template-job-rule and template-instance-rule, on namespace and service."""
    return _identity_variable(dashboard, "namespace") + _identity_variable(dashboard, "service")


def rule_template_on_time_change_reload(dashboard: dict) -> list[str]:
    return [
        f"query variable {v['name']} should refresh on time range change (2)"
        for v in variables(dashboard)
        if v.get("type") == "query" and v.get("refresh") != 2
    ]


def rule_uneditable(dashboard: dict) -> list[str]:
    return [] if dashboard.get("editable") is False else ["a provisioned dashboard should not be editable"]


# --- panel rules ------------------------------------------------------------


def rule_panel_datasource(dashboard: dict) -> list[str]:
    allowed = {"$datasource", "${datasource}"}
    return [
        f"panel {p.get('title')!r} uses datasource {(p.get('datasource') or {}).get('uid')!r}"
        for p in panels(dashboard)
        if (p.get("datasource") or {}).get("uid") not in allowed
    ]


def rule_panel_title_description(dashboard: dict) -> list[str]:
    return [
        f"panel {p.get('id')} lacks a title or description"
        for p in panels(dashboard)
        if not p.get("title") or not p.get("description")
    ]


def panel_unit(panel: dict) -> str | None:
    if panel.get("type") == "heatmap":
        return ((panel.get("options") or {}).get("yAxis") or {}).get("unit")
    return ((panel.get("fieldConfig") or {}).get("defaults") or {}).get("unit")


def rule_panel_units(dashboard: dict) -> list[str]:
    return [
        f"panel {p.get('title')!r} has no or an invalid unit: {panel_unit(p)!r}"
        for p in panels(dashboard)
        if panel_unit(p) not in VALID_UNITS
    ]


def rule_panel_no_targets(dashboard: dict) -> list[str]:
    return [f"panel {p.get('title')!r} has no targets" for p in panels(dashboard) if not p.get("targets")]


def rule_target_ref_ids(dashboard: dict) -> list[str]:
    problems = []
    for p in panels(dashboard):
        ids = [t.get("refId") for t in p.get("targets", [])]
        if not all(ids) or len(set(ids)) != len(ids):
            problems.append(f"panel {p.get('title')!r} has empty or repeated refIds: {ids}")
    return problems


# --- target rules (on expressions with the variables expanded) ---------------


def children(node: object) -> list:
    """The sub-expressions of a promql_parser node."""
    if isinstance(node, promql_parser.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, promql_parser.AggregateExpr):
        return [node.expr] + ([node.param] if node.param is not None else [])
    if isinstance(node, promql_parser.Call):
        return list(node.args)
    if isinstance(node, promql_parser.MatrixSelector):
        return [node.vector_selector]
    if isinstance(node, (promql_parser.ParenExpr, promql_parser.UnaryExpr, promql_parser.SubqueryExpr)):
        return [node.expr]
    return []


def nodes(node: object, parents: tuple = ()) -> Iterator[tuple[object, tuple]]:
    """Every node with its ancestors (nearest last)."""
    yield node, parents
    for child in children(node):
        yield from nodes(child, parents + (node,))


def rate_interval_problems(tree: object) -> list[str]:
    """target-rate-interval-rule: rate() and irate() take $__rate_interval."""
    sample = timedelta(seconds=int(RATE_INTERVAL_SAMPLE[:-1]))
    problems = []
    for node, parents in nodes(tree):
        if isinstance(node, promql_parser.Call) and node.func.name in ("rate", "irate"):
            window = node.args[0]
            if isinstance(window, promql_parser.MatrixSelector) and window.range != sample:
                problems.append(f"{node.func.name}() over {window.range}, not $__rate_interval")
    return problems


def counter_agg_problems(tree: object) -> list[str]:
    """target-counter-agg-rule: a counter (``_total``) only inside rate, irate or increase."""
    problems = []
    for node, parents in nodes(tree):
        if isinstance(node, promql_parser.VectorSelector) and (node.name or "").endswith("_total"):
            ok = len(parents) >= 2 and isinstance(parents[-1], promql_parser.MatrixSelector)
            ok = (
                ok
                and isinstance(parents[-2], promql_parser.Call)
                and parents[-2].func.name in ("rate", "irate", "increase")
            )
            if not ok:
                problems.append(f"counter {node.name} is not aggregated with rate, irate or increase")
    return problems


def _required_labels(metric: str) -> tuple[str, ...]:
    if any(metric.startswith(p) for p in EXEMPT):
        return ("namespace",) if metric.startswith(NAMESPACE_ONLY) else ()
    identity = next((labels for prefix, labels in IDENTITY.items() if metric.startswith(prefix)), DEFAULT_IDENTITY)
    return identity


def identity_matcher_problems(raw_expr: str) -> list[str]:
    """target-job-rule / target-instance-rule, adapted: every selector narrows by
    $namespace and $service through its identity labels (see IDENTITY, EXEMPT).
    Works on the unexpanded expression: matcher values keep their variables."""
    marked = raw_expr.replace("$__rate_interval", "1m").replace("$__range", "1h").replace("$", "VAR_")
    tree = promql_parser.parse(marked)
    problems = []
    for node, _ in nodes(tree):
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            values = {
                m.name: m.value
                for m in node.matchers.matchers
                if m.op == promql_parser.MatchOp.Re and "VAR_" in m.value
            }
            for label, variable in zip(_required_labels(node.name), ("namespace", "service")):
                if f"VAR_{variable}" not in values.get(label, ""):
                    problems.append(f"{node.name}: no {label}=~ matcher on ${variable}")
    return problems


TargetCheck = Callable[[object], list[str]]
TREE_RULES: dict[str, TargetCheck] = {
    "target-rate-interval-rule": rate_interval_problems,
    "target-counter-agg-rule": counter_agg_problems,
}
DASHBOARD_RULES: dict[str, Callable[[dict], list[str]]] = {
    "template-datasource-rule": rule_template_datasource,
    "template-job-rule/template-instance-rule (namespace, service)": rule_template_identity,
    "template-on-time-change-reload-rule": rule_template_on_time_change_reload,
    "uneditable-rule": rule_uneditable,
    "panel-datasource-rule": rule_panel_datasource,
    "panel-title-description-rule": rule_panel_title_description,
    "panel-units-rule": rule_panel_units,
    "panel-no-targets-rule": rule_panel_no_targets,
    "target ref_id": rule_target_ref_ids,
}
