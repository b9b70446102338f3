"""PromQL checks shared by alerts and dashboards: does an expression parse,
and is every metric (and, where known, every label) it names real?

A metric is known when it is
- a platform convention (``platform.metrics``: requests, the duration and
  build-duration histograms with their ``_bucket``/``_sum``/``_count`` series),
- a recording rule opsgen itself generates (conventions.recorded_metrics),
- listed in some service's ``metrics.exports``,
- read from some service's ``metrics.exposition`` file, or
- a well-known exporter metric (exporters.WELL_KNOWN).

Metrics known *only* from exposition files also have known label names:
matchers on other labels are errors (the scrape target labels are always
allowed). Parses are cached, so checking the same query for many services
or environments costs one parse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import promql_parser

from opsgen import conventions as conv
from opsgen.catalogue import burn, promql_limits
from opsgen.catalogue.exporters import TARGET_LABELS, WELL_KNOWN
from opsgen.catalogue.exposition import read_exposition  # noqa: F401 (also read through here)
from opsgen.catalogue.files import FileRefused
from opsgen.catalogue.model import Catalogue, Conventions, Service
from opsgen.errors import Problem, did_you_mean

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
UNKNOWN_HINT = "; declare it in the exporting service's metrics.exports or metrics.exposition"


@dataclass(frozen=True)
class KnownMetrics:
    """names: every metric an expression may name.
    labels: for metrics known only from exposition files, their label names.
    problems: exposition files that could not be read or parsed (located at
    the ``metrics.exposition`` key); reported once by the alert checks, so other
    callers (dashboards) may ignore them."""

    names: frozenset[str]
    labels: Mapping[str, frozenset[str]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Selector:
    """One vector selector of a parsed expression."""

    metric: str | None  # None when the name is a regex on __name__
    labels: tuple[str, ...]  # label names of its matchers, except __name__


@dataclass(frozen=True)
class Parsed:
    """selectors: every vector selector. error: the parser's reason it is not PromQL.
    not_instant: why it parses but cannot be evaluated as an alert or a graph."""

    selectors: tuple[Selector, ...] = ()
    error: str | None = None
    not_instant: str | None = None


_NOT_INSTANT = {  # result types an alert (or a range query) cannot use
    promql_parser.MatrixSelector: "a range vector",
    promql_parser.SubqueryExpr: "a range vector",
    promql_parser.StringLiteral: "a string",
}


# --- parsing ---------------------------------------------------------------


# --- what the pinned Prometheus accepts ------------------------------------
#
# promql-parser 0.12 knows functions and aggregations newer than the Prometheus
# kube-prometheus-stack 58 runs (2.51): an expression using them parses here and
# fails in the cluster. These are Prometheus v2.51.2's (promql/parser/functions.go
# and lex.go), without the experimental ones (mad_over_time, sort_by_label,
# sort_by_label_desc need --enable-feature=promql-experimental-functions).
PROMETHEUS_VERSION = "2.51"
PROMETHEUS_FUNCTIONS = frozenset(
    """abs absent absent_over_time acos acosh asin asinh atan atanh avg_over_time ceil changes clamp
    clamp_max clamp_min cos cosh count_over_time days_in_month day_of_month day_of_week day_of_year deg
    delta deriv exp floor histogram_avg histogram_count histogram_sum histogram_stddev histogram_stdvar
    histogram_fraction histogram_quantile holt_winters hour idelta increase irate label_replace label_join
    last_over_time ln max_over_time min_over_time minute month pi predict_linear present_over_time
    quantile_over_time rad rate resets round scalar sgn sin sinh sort sort_desc sqrt stddev_over_time
    stdvar_over_time sum_over_time tan tanh time timestamp vector year""".split()
)
PROMETHEUS_AGGREGATIONS = frozenset(
    "sum avg count min max group stddev stdvar topk bottomk count_values quantile".split()
)

# The Rust parser recurses once per level of nesting *and* per chained operator,
# and its time and memory grow with the square of that depth (1,000 levels: 0.4 GB;
# 2,000 chained '+': 0.6 GB; 4,000 levels or 5,000 operators: SIGSEGV). An upper
# bound of the tree's depth is counted in Python before the parser sees the text:
# the deepest bracket nesting plus every operator. At 48 a parse takes ~0.4 ms
# (at 128, 3 ms: 1 MB of such alerts would take 10 s to check); opsgen's own
# rules reach 9 and its dashboard queries 17.
MAX_PROMQL_DEPTH = 48
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_OPERATORS = re.compile(r"[-+*/%^]|[=!<>]=|=~|!~|[<>]|\b(?:and|or|unless|atan2)\b")


def too_deep(expr: str) -> str | None:
    """Why ``expr`` is too deeply nested to hand to the parser, or None."""
    if len(expr) < MAX_PROMQL_DEPTH:
        return None  # cannot reach the bound
    text = _STRINGS.sub('""', expr)
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    if deepest + len(_OPERATORS.findall(text)) <= MAX_PROMQL_DEPTH:
        return None
    return (
        f"the expression is nested or chained too deeply (brackets plus operators over {MAX_PROMQL_DEPTH}); "
        "split it into recording rules"
    )


_CHILDREN = ("lhs", "rhs", "expr", "param", "vector_selector")


def nodes(tree: object) -> list[object]:
    """Every node of a parsed expression. promql_parser.walk took 13 ms for 47
    chained '+' (its callbacks copy subtrees again and again); this takes 0.1 ms."""
    out: list[object] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for name in _CHILDREN:
            child = getattr(node, name, None)
            if child is not None and not isinstance(child, (str, int, float)):
                stack.append(child)
        if isinstance(node, promql_parser.Call):
            stack.extend(node.args)
    return out


def _unavailable(tree: object) -> list[str]:
    """Functions and aggregations the pinned Prometheus does not have."""
    found: list[str] = []
    for node in nodes(tree):
        if isinstance(node, promql_parser.Call) and node.func.name not in PROMETHEUS_FUNCTIONS:
            found.append(f"function '{node.func.name}'")
        elif isinstance(node, promql_parser.AggregateExpr) and str(node.op) not in PROMETHEUS_AGGREGATIONS:
            found.append(f"aggregation '{node.op}'")
    return [
        f"{what} is not available in Prometheus {PROMETHEUS_VERSION} (the version the stack runs)"
        for what in dict.fromkeys(found)
    ]


@lru_cache(maxsize=65536)
def parse(expr: str) -> Parsed:
    """The selectors of ``expr``, or the parser's reason why it is not PromQL
    (for Prometheus 2.51: newer functions are errors)."""
    deep = too_deep(expr)
    if deep:
        return Parsed(error=deep)
    try:
        tree = promql_parser.parse(expr)
    except ValueError as exc:
        return Parsed(error=str(exc) or "invalid expression")
    unavailable = _unavailable(tree) or promql_limits.problems(nodes(tree), _STRINGS.sub('""', expr))
    if unavailable:
        return Parsed(error="; ".join(unavailable))
    found = [_selector(node) for node in reversed(nodes(tree)) if isinstance(node, promql_parser.VectorSelector)]
    return Parsed(tuple(found), not_instant=_not_instant(tree))


def _not_instant(tree: object) -> str | None:
    while isinstance(tree, promql_parser.ParenExpr):
        tree = tree.expr
    kind = _NOT_INSTANT.get(type(tree))  # type: ignore[arg-type]  # any node type: most have no entry
    return f"the result is {kind}; it must be an instant vector or a scalar" if kind else None


def quote(value: str) -> str:
    """A PromQL string literal (label values are free text: topics, groups)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# A string after = or != cannot make an expression invalid (=~ and !~ regexes
# can). The operator comes first and the lookbehind after it, so the search
# skips from '!' or '=' to the next; the replacement is a function (a template
# such as r'\1""' is parsed and expanded anew for every match).
_EQUALITY_STRING = re.compile(r'(?:!=(?<![=!~]!=)|=(?<![=!~]=))\s*"(?:[^"\\]|\\.)*"')


def _empty_string(match: re.Match[str]) -> str:
    return '!=""' if match.group()[0] == "!" else '=""'


def syntax_error(expr: str) -> str | None:
    """Why ``expr`` is not PromQL, or None; cheaper than ``parse`` (no tree walk).

    Cached by shape: generated rules differ between services only in label
    values, so one parse serves every service."""
    return _shape_syntax_error(shape(expr))


def shape(expr: str) -> str:
    """``expr`` with every string after = or != emptied (its syntax is the same)."""
    return _EQUALITY_STRING.sub(_empty_string, expr)


@lru_cache(maxsize=65536)
def _shape_syntax_error(expr: str) -> str | None:
    deep = too_deep(expr)
    if deep:
        return deep
    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        return str(exc) or "invalid expression"
    return None


def _selector(node: promql_parser.VectorSelector) -> Selector:
    matchers = list(node.matchers.matchers) + [m for group in node.matchers.or_matchers for m in group]
    name = node.name
    for m in matchers:
        if m.name == "__name__" and m.op == promql_parser.MatchOp.Equal:
            name = m.value
    return Selector(name, tuple(m.name for m in matchers if m.name != "__name__"))


# --- checking --------------------------------------------------------------


def check_expr(expr: str, known: KnownMetrics, where: str) -> list[str]:
    """Messages (prefixed with ``where``, e.g. ``alerts[0].expr``) for everything
    wrong with ``expr``; empty when it parses and names only known metrics."""
    parsed = parse(expr)
    if parsed.error is not None:
        return [f"{where}: cannot parse PromQL: {parsed.error}"]
    out = [f"{where}: {parsed.not_instant}"] if parsed.not_instant else []
    for selector in parsed.selectors:
        out += _selector_problems(selector, known, where)
    return list(dict.fromkeys(out))


def _selector_problems(selector: Selector, known: KnownMetrics, where: str) -> list[str]:
    metric = selector.metric
    if metric is None:
        return []
    if metric not in known.names:
        hint = did_you_mean(metric, known.names) or UNKNOWN_HINT
        return [f"{where}: unknown metric '{metric}'{hint}"]
    allowed = known.labels.get(metric)
    if allowed is None:
        return []
    return [
        f"{where}: metric '{metric}' has no label '{label}'{did_you_mean(label, allowed)}"
        for label in selector.labels
        if label not in allowed
    ]


# --- what is known ---------------------------------------------------------


def known_metrics(catalogue: Catalogue, base_dir: str) -> KnownMetrics:
    """Every metric the catalogue makes known; exposition paths are relative to ``base_dir``."""
    days = catalogue.platform.slo_days
    recorded = conv.recorded_metrics(burn.windows(days) + (burn.period(days),))
    declared = set(convention_metrics(catalogue.platform.metrics)) | set(WELL_KNOWN) | set(recorded)
    exposed: dict[str, set[str]] = {}
    problems: list[Problem] = []
    for service in _all_services(catalogue):
        declared.update(service.metrics.exports if service.metrics else ())
        declared.update((service.slo.requests_metric,) if service.slo.requests_metric else ())  # the SLO reads it
        declared.update(service.slo.histogram + s for s in HISTOGRAM_SUFFIXES)  # what its latency SLOs read
        families, problem = _exposition_of(service, base_dir)
        if problem:
            problems.append(problem)
        for name, names in families.items():
            exposed.setdefault(name, set()).update(names)
    labels = {name: frozenset(lbls | TARGET_LABELS) for name, lbls in exposed.items() if name not in declared}
    return KnownMetrics(frozenset(declared | set(exposed)), labels, tuple(sorted(set(problems))))


def convention_metrics(metrics: Conventions) -> tuple[str, ...]:
    """The series every service (or runner) exposes by platform convention."""
    histograms = (metrics.duration, metrics.build_duration)
    return (metrics.requests,) + tuple(h + s for h in histograms for s in HISTOGRAM_SUFFIXES)


def _all_services(catalogue: Catalogue) -> Iterable[Service]:
    for env in catalogue.environments:
        yield from env.services


def _exposition_of(service: Service, base_dir: str) -> tuple[dict[str, frozenset[str]], Problem | None]:
    metrics = service.metrics
    if metrics is None or metrics.exposition is None:
        return {}, None
    try:
        return read_exposition(base_dir, metrics.exposition), None
    except FileRefused as exc:
        where = metrics.exposition_location or metrics.location
        assert where is not None  # the model locates every metrics block
        return {}, Problem(where, "metrics.exposition: " + exc.about(metrics.exposition))
