"""The OpenTelemetry Collector's pipelines: every component they name is defined,
and connectors join pipelines of the signals they connect."""

from __future__ import annotations

from opsgen.errors import Problem
from opsgen.stack.helmfile import find_release
from opsgen.stack.prometheus import Values
from opsgen.stack.read import Sources

CHART = "opentelemetry-collector"
# Connectors whose pipeline types are fixed: (exporter side, receiver side)
CONNECTOR_TYPES = {"spanmetrics": ("traces", "metrics"), "servicegraph": ("traces", "metrics")}
SIGNALS = ("traces", "metrics", "logs")


def check(sources: Sources, releases: list[dict], problems: list[Problem]) -> None:
    release = find_release(releases, CHART)
    if release is None:
        return
    values = Values(sources, release)
    problems.extend(values.at("config", message) for message in collector_problems(values.merged.get("config") or {}))


def collector_problems(config: dict) -> list[str]:
    """Pipelines of a collector config that name undefined components, or misuse connectors.

    A component is defined when its id (``type`` or ``type/name``) is a key of its section
    with a non-null value (the chart's values remove a default with ``null``)."""
    problems = _deprecated(config)
    connectors = _defined(config, "connectors")
    pipelines = ((config.get("service") or {}).get("pipelines")) or {}
    if not pipelines:
        problems.append("config.service.pipelines: no pipeline")
    known = {
        "receivers": _defined(config, "receivers") | connectors,
        "processors": _defined(config, "processors"),
        "exporters": _defined(config, "exporters") | connectors,
    }
    sides: dict[str, dict[str, list[str]]] = {"exporters": {}, "receivers": {}}
    for pipeline, spec in pipelines.items():
        signal = str(pipeline).split("/")[0]
        if signal not in SIGNALS:
            problems.append(f"config.service.pipelines.{pipeline}: unknown signal {signal!r} (traces, metrics or logs)")
        for part, ids in ((part, (spec or {}).get(part) or []) for part in known):
            if not ids and part != "processors":
                problems.append(f"config.service.pipelines.{pipeline}.{part}: empty")
            for cid in ids:
                if cid not in known[part]:
                    problems.append(f"config.service.pipelines.{pipeline}.{part}: {cid!r} is not defined in config")
                if cid in connectors and part in sides:
                    sides[part].setdefault(cid, []).append(signal)
    problems += _connectors(connectors, sides["exporters"], sides["receivers"])
    for ext in (config.get("service") or {}).get("extensions") or []:
        if ext not in (config.get("extensions") or {}):
            problems.append(f"config.service.extensions: {ext!r} is not defined in config.extensions")
    return problems


def _defined(config: dict, section: str) -> set[str]:
    return {k for k, v in (config.get(section) or {}).items() if v is not None}


def _deprecated(config: dict) -> list[str]:
    return [
        f"config.{name}.{kind}: the logging exporter is deprecated; use debug"
        for name in ("receivers", "exporters")
        for kind in (config.get(name) or {})
        if kind.split("/")[0] == "logging" and config[name][kind] is not None
    ]


def _connectors(
    connectors: set[str], as_exporter: dict[str, list[str]], as_receiver: dict[str, list[str]]
) -> list[str]:
    problems = []
    for cid in sorted(connectors):
        if cid not in as_exporter or cid not in as_receiver:
            problems.append(
                f"config.connectors.{cid}: a connector must be an exporter of one pipeline and a receiver of another"
            )
            continue
        sides = CONNECTOR_TYPES.get(cid.split("/")[0])
        if sides and (sides[0] not in as_exporter[cid] or sides[1] not in as_receiver[cid]):
            problems.append(f"config.connectors.{cid}: connects {sides[0]} to {sides[1]} pipelines")
    return problems
