"""PromQL text and alerts the rule builders share (alerting.py, slo.py, latency.py):
selectors, numbers, the identity a service's series are selected by, and a generated
alert with its policy from catalogue/generated_alerts.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from opsgen import conventions as conv
from opsgen.catalogue import generated_alerts as table
from opsgen.catalogue.model import Alert
from opsgen.catalogue.promql import quote
from opsgen.catalogue.templates import literal

if TYPE_CHECKING:
    from opsgen.catalogue.model import Service


def selector(
    metric: str, matchers: dict[str, str], present: tuple[str, ...] = (), regex: tuple[tuple[str, str], ...] = ()
) -> str:
    """``metric{name="value",...}``; ``present``: labels that must be set (``=~".+"``);
    ``regex``: (label, regex) pairs matched with ``=~`` (anchored by PromQL)."""
    equal = [f"{name}={quote(value)}" for name, value in matchers.items()]
    matched = [f"{name}=~{quote(pattern)}" for name, pattern in regex]
    inner = ",".join(equal + matched + [f'{name}=~".+"' for name in present])
    return f"{metric}{{{inner}}}"


def number(value: float) -> str:
    return format(value, ".6g")


def identity(service: Service) -> dict[str, str]:
    """How alerts select a service's series (the catalogue contract)."""
    return {"namespace": service.namespace, conv.SERVICE_LABEL: service.name}


def who(service: Service) -> str:
    """``namespace/name`` as annotation text: catalogue text in an annotation is
    escaped (templates.literal), so Prometheus never runs it as a template."""
    return literal(f"{service.namespace}/{service.name}")


def generated(name: str, service: Service, expr: str, summary: str, description: str) -> Alert:
    """The generated alert ``name`` of ``service``, with the table's severity and ``for``."""
    policy = table.BY_NAME[name]
    return Alert(name, expr, policy.severity, summary, policy.for_, description, None, service.team)
