"""Template variables every dashboard has: datasource, namespace, service.

The namespace and service choices are Prometheus queries on the series opsgen
records for every service with metrics (``opsgen:service_info``, alerting.catalogue_rules),
not lists written into the dashboard: adding a service to the catalogue changes
its PrometheusRule, never a dashboard. The record is a constant, so a service
scaled to zero, or not reporting yet, can still be picked. Both are multi-select
with "All" meaning the regex ``.+``, as grafana/dashboard-linter asks of its job
and instance variables, and refresh when the time range changes.
"""

from __future__ import annotations

from grafana_foundation_sdk.builders import dashboard as builder
from grafana_foundation_sdk.models import dashboard as model

from opsgen import conventions as conv
from opsgen.generate.dashboards.defaults import DATASOURCE, DATASOURCE_VARIABLE
from opsgen.generate.dashboards.queries import IN_NAMESPACE, selector

ALL = model.VariableOption(selected=True, text="All", value="$__all")
ALL_VALUE = ".+"


def datasource() -> builder.DatasourceVariable:
    return builder.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source").type("prometheus")


def label_values(series: str, label: str) -> str:
    """Grafana's Prometheus variable query: the values of ``label`` on ``series``."""
    return f"label_values({series}, {label})"


def _choice(name: str, label: str, query: str) -> builder.QueryVariable:
    return (
        builder.QueryVariable(name)
        .label(label)
        .query(query)
        .datasource(DATASOURCE)
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(ALL_VALUE)
        .current(ALL)
    )


def namespace() -> builder.QueryVariable:
    return _choice("namespace", "Namespace", label_values(conv.SERVICE_INFO_RECORD, "namespace"))


def service() -> builder.QueryVariable:
    """The services of the chosen namespaces."""
    return _choice(
        "service", "Service", label_values(selector(conv.SERVICE_INFO_RECORD, IN_NAMESPACE), conv.SERVICE_LABEL)
    )


def standard() -> list:
    """The same three variables whatever the catalogue holds."""
    return [datasource(), namespace(), service()]
