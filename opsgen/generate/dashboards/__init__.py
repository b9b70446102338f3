"""Grafana dashboards as code (grafana-foundation-sdk), one module per dashboard.

Each module has NAME (the uid suffix), TITLE, DESCRIPTION and ``panels(scope)``,
which returns no panels when the catalogue has nothing for that dashboard to
show (no agents, no Kafka scaling, ...): then the dashboard is not emitted.
Every dashboard becomes one ConfigMap in ``platform.prometheus.namespace``,
in every environment (see docs/dashboards.md).
"""

from __future__ import annotations

from opsgen import conventions as conv
from opsgen.generate.context import Context, Part
from opsgen.generate.dashboards import (
    agent_latency,
    agents_overview,
    autoscale_status,
    build_heatmap,
    cost_summary,
    kafka_lag,
    pipeline_funnel,
    slo,
    variables,
)
from opsgen.generate.dashboards.defaults import TAG, Board, Scope, dashboard, link
from opsgen.generate.kinds import DashboardConfigMap, DashboardConfigMapProps, ObjectMeta

MODULES = (
    agents_overview,
    agent_latency,
    slo,
    pipeline_funnel,
    kafka_lag,
    build_heatmap,
    autoscale_status,
    cost_summary,
)
LINK_TITLES = {slo.TAG: slo.TITLE}


def scope_of(ctx: Context) -> Scope:
    return Scope(ctx.platform, ctx.env.services, ctx.catalogue.pipeline_topics)


def build(scope: Scope) -> list[Board]:
    """Every dashboard the catalogue has something to show on, in MODULES order."""
    boards = []
    for module in MODULES:
        panels = module.panels(scope)
        if panels:
            uid = conv.dashboard_uid(scope.platform, module.NAME)
            tags, links = getattr(module, "TAGS", ()), _links(scope, getattr(module, "LINKED", ()))
            boards.append(
                dashboard(uid, module.TITLE, module.DESCRIPTION, scope, variables.standard(), panels, tags, links)
            )
    return boards


def _links(scope: Scope, tags: tuple[str, ...]) -> list:
    """Links by tag (a module's ``LINKED``) to this platform's dashboards: Grafana lists the
    dashboards that exist, so a link never points at a dashboard the catalogue lacks."""
    return [link(LINK_TITLES[tag], (TAG, scope.platform.name, tag)) for tag in tags]


def dashboard_files(ctx: Context) -> list[tuple[str, tuple[Part, ...]]]:
    """One file, with one ConfigMap, per dashboard (for generate.platform_files)."""
    return [(conv.dashboard_file(ctx.platform, board.uid), (_part(board),)) for board in build(scope_of(ctx))]


def _part(board: Board) -> Part:
    def part(chart, ctx: Context) -> None:
        platform = ctx.platform
        name = conv.dashboard_configmap_name(board.uid)
        meta = ObjectMeta(name, platform.namespace, conv.platform_labels(platform, conv.DASHBOARD_COMPONENT))
        DashboardConfigMap(chart, DashboardConfigMapProps(meta, board.uid, board.json, platform.grafana_folder or None))

    return part
