"""PromQL building blocks of the dashboards: selectors on the template variables.

A service's series are ``{namespace="<namespace>", service="<name>"}`` (the
catalogue contract); the ``$namespace`` and ``$service`` variables narrow every
query that has such labels. Grafana expands a multi-value variable inside a
regex matcher to ``(a|b)`` and "All" to ``.+``.

No query lists the catalogue's services: which services a dashboard shows, their
SLOs, thresholds and HPAs come from series opsgen records for each service
(conventions.CATALOGUE_RECORDS, alerting.catalogue_rules), joined on
``(namespace, service)``, so a dashboard's size does not depend on the catalogue's.
"""
from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.promql import quote

RATE_INTERVAL = "$__rate_interval"
RANGE = "$__range"
IN_NAMESPACE = 'namespace=~"$namespace"'
IN_SERVICE = 'service=~"$service"'


def selector(metric: str, *matchers: str) -> str:
    return f"{metric}{{{', '.join(matchers)}}}" if matchers else metric


def rate(series: str, window: str = RATE_INTERVAL) -> str:
    return f"rate({series}[{window}])"


def increase(series: str, window: str = RANGE) -> str:
    return f"increase({series}[{window}])"


def equals(label: str, value: str) -> str:
    """``label="value"``, the value quoted as a PromQL string (topics and groups are free text)."""
    return f"{label}={quote(value)}"


def narrowed(metric: str, *matchers: str) -> str:
    """A service's own series (``{namespace, service}``), narrowed by the variables."""
    return selector(metric, IN_NAMESPACE, IN_SERVICE, *matchers)


def catalogued(expr: str, role: str | None = None) -> str:
    """``expr`` (labelled namespace, service) kept only for the catalogue's services with
    metrics (of ``role``): joined against the recorded ``opsgen:service_info``, so the
    query does not list the services and its size does not grow with the catalogue."""
    info = narrowed(conv.SERVICE_INFO_RECORD, *((equals(conv.ROLE_LABEL, role),) if role else ()))
    return f"({expr} and on(namespace, service) {info})"


def hpa_series(metric: str) -> str:
    """A kube-state-metrics HPA series per service: joined to the service it scales through
    the recorded ``opsgen:hpa_info`` (``group_left(service)`` replaces kube-state-metrics'
    own ``service`` target label). The HPA-name matcher only narrows: KEDA's HPA is
    ``keda-hpa-<name>``, an HPA of opsgen's own is named after the service."""
    hpa = f'{conv.HPA_LABEL}=~"({conv.KEDA_HPA_PREFIX})?$service"'
    info = narrowed(conv.HPA_INFO_RECORD)
    joined = f"{selector(metric, IN_NAMESPACE, hpa)} * on(namespace, {conv.HPA_LABEL}) group_left(service) {info}"
    return f"max by (namespace, service) ({joined})"


def per_service(expr: str, *labels: str) -> str:
    """``expr`` summed per service (and per ``labels``)."""
    return f"sum by ({', '.join(('namespace', 'service') + labels)}) ({expr})"
