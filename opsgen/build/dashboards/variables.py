"""Template variables every dashboard has: datasource, namespace, service.

The namespace and service choices come from the catalogue (custom variables),
so a service scaled to zero, or not yet reporting, can still be picked. Both are
multi-select with "All" meaning the regex ``.+``, as grafana/dashboard-linter
asks of its job and instance variables.
"""
from __future__ import annotations

from typing import Sequence

from grafana_foundation_sdk.builders import dashboard as builder
from grafana_foundation_sdk.models import dashboard as model

from opsgen.build.dashboards.defaults import DATASOURCE_VARIABLE, Scope

ALL = model.VariableOption(selected=True, text="All", value="$__all")
ALL_VALUE = ".+"


def datasource() -> builder.DatasourceVariable:
    return builder.DatasourceVariable(DATASOURCE_VARIABLE).label("Data source").type("prometheus")


def _choice(name: str, label: str, values: Sequence[str]) -> builder.CustomVariable:
    return builder.CustomVariable(name).label(label).values(",".join(values)).multi(True).include_all(True).all_value(ALL_VALUE).current(ALL)


def namespace(scope: Scope) -> builder.CustomVariable:
    return _choice("namespace", "Namespace", scope.namespaces)


def service(scope: Scope) -> builder.CustomVariable:
    return _choice("service", "Service", sorted({s.name for s in scope.services}))


def standard(scope: Scope) -> list:
    return [datasource(), namespace(scope), service(scope)]
