"""Running a dashboard's queries the way Grafana 10.4's Prometheus data source
does: template variables resolved (custom lists, or ``label_values(...)``
asked of Prometheus), multi-value selections written as a regex group
``(a|b)`` with regex characters escaped, and the built-in ``$__rate_interval``,
``$__interval`` and ``$__range`` (a panel's relative time override wins over
the dashboard's time range)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# kube-prometheus-stack gives Grafana's Prometheus data source timeInterval 30s
# (its scrape interval): $__rate_interval = max($__interval + 30s, 4 * 30s).
SCRAPE_INTERVAL = 30
INTERVAL = 15  # $__interval for a 6h panel about 1,400 pixels wide
RATE_INTERVAL = max(INTERVAL + SCRAPE_INTERVAL, 4 * SCRAPE_INTERVAL)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_REGEX_SPECIAL = re.compile(r"([\\^$*+?.()|{}\[\]])")
_LABEL_VALUES = re.compile(r"^label_values\((?:(?P<match>.*),\s*)?(?P<label>[a-zA-Z_][a-zA-Z0-9_]*)\)$")


@dataclass(frozen=True)
class Query:
    dashboard: str
    panel: str
    ref_id: str
    expr: str
    instant: bool
    range_seconds: int  # $__range of its panel

    def __str__(self) -> str:
        return f"{self.dashboard} / {self.panel} / {self.ref_id or '?'}: {self.expr}"


def seconds(duration: str) -> int:
    """'6h' or 'now-6h' -> 21600."""
    text = duration.strip().removeprefix("now-")
    parts = re.findall(r"(\d+)([smhdwy])", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"unsupported duration {duration!r}"
    return sum(int(n) * _UNITS[u] for n, u in parts)


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in items:
        yield panel
        yield from panels(panel.get("panels") or [])


def queries(name: str, dashboard: dict[str, Any]) -> list[Query]:
    """Every visible Prometheus query of every panel."""
    default = seconds((dashboard.get("time") or {}).get("from", "now-6h"))
    out = []
    for panel in panels(dashboard.get("panels") or []):
        window = seconds(panel["timeFrom"]) if panel.get("timeFrom") else default
        for target in panel.get("targets") or []:
            if target.get("expr") and not target.get("hide"):
                instant = bool(target.get("instant")) and not target.get("range")
                out.append(
                    Query(name, panel.get("title", ""), target.get("refId", ""), target["expr"], instant, window)
                )
    return out


def lists_alerts(expr: str) -> bool:
    """A query over Prometheus' ALERTS series: no value above 0 while nothing fires."""
    return re.search(r"(?<![a-zA-Z0-9_:])ALERTS(?![a-zA-Z0-9_:])", expr) is not None


def listed(expr: str) -> str:
    """The alerts (or counts of them) a ``lists_alerts`` query shows."""
    return f"({expr}) > 0"


def builtins(query: Query) -> dict[str, str]:
    return {
        "__rate_interval": f"{RATE_INTERVAL}s",
        "__interval": f"{INTERVAL}s",
        "__interval_ms": str(INTERVAL * 1000),
        "__range": f"{query.range_seconds}s",
        "__range_s": str(query.range_seconds),
        "__range_ms": str(query.range_seconds * 1000),
    }


def interpolate(expr: str, values: dict[str, str]) -> str:
    """``$name``, ``${name}``, ``${name:format}`` and ``[[name]]`` replaced (longest names first)."""
    for name in sorted(values, key=len, reverse=True):
        value = values[name]
        expr = re.sub(r"\$\{" + re.escape(name) + r"(?::[a-z]+)?\}", lambda _: value, expr)
        expr = expr.replace(f"[[{name}]]", value)
        expr = re.sub(r"\$" + re.escape(name) + r"(?![a-zA-Z0-9_])", lambda _: value, expr)
    return expr


def regex_value(values: list[str]) -> str:
    """A multi-value selection as Grafana writes it into a Prometheus query."""
    escaped = [_REGEX_SPECIAL.sub(r"\\\\\1", v) for v in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


LabelValues = Callable[[str | None, str], list[str]]  # (series selector or None, label) -> values


def variable_values(variable: dict[str, Any], known: dict[str, str], label_values: LabelValues) -> list[str]:
    """Every value a variable offers (before any selection)."""
    if variable["type"] == "custom":
        return [v.strip() for v in str(variable.get("query", "")).split(",") if v.strip()]
    if variable["type"] == "query":
        query = variable.get("query")
        text = query.get("query", "") if isinstance(query, dict) else str(query or variable.get("definition", ""))
        found = _LABEL_VALUES.match(interpolate(text.strip(), known))
        assert found, f"variable {variable['name']}: only label_values(...) queries are supported, not {text!r}"
        values = label_values(found["match"], found["label"])
        pattern = variable.get("regex")
        return sorted(v for v in values if not pattern or re.search(pattern.strip("/"), v))
    raise AssertionError(f"variable {variable['name']}: unsupported type {variable['type']!r}")


def resolve(dashboard: dict[str, Any], selected: dict[str, list[str]], label_values: LabelValues) -> dict[str, str]:
    """Variable name -> text to substitute, in the dashboard's variable order
    (later variables may use earlier ones). ``selected`` narrows a variable
    to the given values (those it offers); others are "All"."""
    out: dict[str, str] = {}
    for variable in (dashboard.get("templating") or {}).get("list", []):
        if variable["type"] in ("datasource", "constant", "interval", "textbox", "adhoc"):
            continue
        offered = variable_values(variable, out, label_values)
        wanted = [v for v in offered if v in selected[variable["name"]]] if variable["name"] in selected else offered
        assert wanted, (
            f"variable {variable['name']} offers none of {selected.get(variable['name'])} (it offers {offered})"
        )
        all_value = variable.get("allValue")
        chose_all = variable["name"] not in selected and variable.get("includeAll")
        out[variable["name"]] = all_value if chose_all and all_value else regex_value(wanted)
    return out
