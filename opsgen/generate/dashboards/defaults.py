"""Shared defaults of every dashboard and panel, in one place.

Panels differ in title, description, unit and queries; everything else (the
datasource, sizes, legend, query kind) is decided here. The JSON is the SDK's
model encoded with sorted keys, so equal input gives byte-equal output.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders import bargauge, common, heatmap, prometheus, stat, table, timeseries
from grafana_foundation_sdk.builders import dashboard as builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import common as common_model
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models import prometheus as prometheus_model

from opsgen.catalogue.model import Platform, Service, namespaces_of

DATASOURCE_VARIABLE = "datasource"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid="${%s}" % DATASOURCE_VARIABLE)
TAG = "opsgen"
TIME_FROM, TIME_TO = "now-6h", "now"
REFRESH = "1m"
HEIGHT = 8  # grid rows
HALF, FULL = 12, 24  # grid columns (of 24)


@dataclass(frozen=True)
class Scope:
    """What a dashboard is built from: the platform and one environment's services."""

    platform: Platform
    services: tuple[Service, ...]
    pipeline_topics: tuple[str, ...] = ()

    def role(self, role: str) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.role == role and s.metrics)

    @property
    def monitored(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.metrics)

    @property
    def scaled(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.scaling)

    @property
    def kafka_scaled(self) -> tuple[Service, ...]:
        return tuple(s for s in self.services if s.kafka)

    @property
    def namespaces(self) -> tuple[str, ...]:
        return namespaces_of(self.services)


@dataclass(frozen=True)
class Query:
    """One target: a PromQL expression and its legend (Grafana legend format)."""

    expr: str
    legend: str


@dataclass(frozen=True)
class Board:
    """A finished dashboard: its uid, title and JSON text."""

    uid: str
    title: str
    json: str


def ref_id(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: Grafana's own sequence of target ids."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


FORMATS = {"heatmap": prometheus_model.PromQueryFormat.HEATMAP, "table": prometheus_model.PromQueryFormat.TABLE}


def _target(query: Query, index: int, kind: str) -> prometheus.Dataquery:
    """kind: "range" (time series), "instant" (stat, bar gauge), "table" (instant, one row
    per series) or "heatmap" (histogram buckets)."""
    target = prometheus.Dataquery().expr(query.expr).legend_format(query.legend).ref_id(ref_id(index))
    target = target.instant() if kind in ("instant", "table") else target.range()
    return target.format(FORMATS[kind]) if kind in FORMATS else target


def _common(panel, title: str, description: str, queries: Sequence[Query], kind: str, span: int):
    """The settings every panel shares."""
    targets = [_target(query, index, kind) for index, query in enumerate(queries)]
    return panel.title(title).description(description).datasource(DATASOURCE).targets(targets).span(span).height(HEIGHT)


def _last_value() -> common.ReduceDataOptions:
    """Single-value panels show each series' last value (instant queries have one)."""
    return common.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def thresholds(base: str, steps: Sequence[tuple[float, str]]) -> builder.ThresholdsConfig:
    """Absolute thresholds: ``base`` colour below the first step."""
    values = [model.Threshold(None, base)] + [model.Threshold(v, c) for v, c in steps]
    return builder.ThresholdsConfig().mode(model.ThresholdsMode.ABSOLUTE).steps(values)


def timeseries_panel(
    title: str, description: str, unit: str, queries: Sequence[Query], span: int = HALF
) -> timeseries.Panel:
    legend = (
        common.VizLegendOptions()
        .display_mode(common_model.LegendDisplayMode.TABLE)
        .placement(common_model.LegendPlacement.BOTTOM)
        .show_legend(True)
    )
    panel = timeseries.Panel().unit(unit).legend(legend).line_width(1).fill_opacity(10)
    return _common(panel, title, description, queries, "range", span)


def stat_panel(title: str, description: str, unit: str, queries: Sequence[Query], span: int = HALF) -> stat.Panel:
    panel = stat.Panel().unit(unit).reduce_options(_last_value()).color_mode(common_model.BigValueColorMode.BACKGROUND)
    return _common(panel, title, description, queries, "instant", span)


def bargauge_panel(
    title: str, description: str, unit: str, queries: Sequence[Query], span: int = HALF
) -> bargauge.Panel:
    panel = (
        bargauge.Panel().unit(unit).reduce_options(_last_value()).orientation(common_model.VizOrientation.HORIZONTAL)
    )
    return _common(panel, title, description, queries, "instant", span)


def heatmap_panel(title: str, description: str, unit: str, queries: Sequence[Query], span: int = FULL) -> heatmap.Panel:
    """A heatmap of pre-bucketed (Prometheus histogram) data; ``unit`` is the y axis."""
    panel = (
        heatmap.Panel()
        .calculate(False)
        .y_axis(heatmap.YAxisConfig().unit(unit))
        .cell_values(heatmap.CellValues().unit("short"))
    )
    return _common(panel, title, description, queries, "heatmap", span)


def table_panel(title: str, description: str, no_value: str, queries: Sequence[Query], span: int = HALF) -> table.Panel:
    """A table of an instant query, a row per series and a column per label; ``no_value``
    is what it says when the query has no series."""
    return _common(table.Panel().unit("none").no_value(no_value), title, description, queries, "table", span)


def link(title: str, tags: Sequence[str]) -> builder.DashboardLink:
    """A link to the dashboards carrying all of ``tags`` (none: no link shown), keeping
    the time range and the variables."""
    kind = model.DashboardLinkType.DASHBOARDS
    return (
        builder.DashboardLink(title).type(kind).tags(list(tags)).as_dropdown(False).include_vars(True).keep_time(True)
    )


def dashboard(
    uid: str,
    title: str,
    description: str,
    scope: Scope,
    variables: Sequence,
    panels: Sequence,
    tags: Sequence[str] = (),
    links: Sequence[builder.DashboardLink] = (),
) -> Board:
    """The dashboard around ``panels``: uid, time, tags (opsgen's, the platform's, then
    ``tags``), links, variables; panel ids in order."""
    board = (
        builder.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags([TAG, scope.platform.name, *tags])
        .readonly()
        .time(TIME_FROM, TIME_TO)
        .refresh(REFRESH)
        .timezone("browser")
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
    )
    for one in links:
        board = board.link(one)
    for variable in variables:
        board = board.with_variable(variable)
    for number, panel in enumerate(panels, start=1):
        board = board.with_panel(panel.id(number))
    return Board(uid, title, encode(board))


def encode(board: builder.Dashboard) -> str:
    """The dashboard's JSON: sorted keys, two-space indent, trailing newline."""
    return json.dumps(board.build(), cls=JSONEncoder, sort_keys=True, indent=2) + "\n"
