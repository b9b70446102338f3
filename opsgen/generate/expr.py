"""PromQL text the rule builders share (alerting.py, slo.py): selectors, numbers and
the identity a service's series are selected by."""
from __future__ import annotations

from typing import TYPE_CHECKING

from opsgen import conventions as conv
from opsgen.catalogue.promql import quote

if TYPE_CHECKING:
    from opsgen.catalogue.model import Service


def selector(metric: str, matchers: dict[str, str], present: tuple[str, ...] = (), regex: tuple[tuple[str, str], ...] = ()) -> str:
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
