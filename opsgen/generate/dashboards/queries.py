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


def or_zero(expr: str, total: str) -> str:
    """``expr``, or 0 where it has no series but ``total`` has one (with the same labels).

    prometheus_client creates a labelled child series on first use: a service that
    never failed has no ``outcome="failure"`` series, and ``failed / all`` would be
    empty instead of 0. ``total * 0`` stands in for it."""
    return f"({expr} or {total} * 0)"


def consumer_series(expr: str) -> str:
    """A kafka-exporter series of consumer groups (labelled consumergroup, topic,
    partition; its namespace and service are the exporter's own) for the services'
    consumer groups on their topics, relabelled with the service's namespace and
    service through the recorded ``opsgen:kafka_consumer_info``."""
    info = narrowed(conv.KAFKA_CONSUMER_INFO_RECORD)
    return f"{expr} * on({conv.CONSUMER_GROUP_LABEL}, {conv.TOPIC_LABEL}) group_left(namespace, service) {info}"


KEDA_NAMESPACE = "exported_namespace"  # KEDA's chart ServiceMonitor does not honour labels
KEDA_OBJECT = "scaledObject"


def keda(metric: str) -> str:
    """A KEDA operator series of the chosen ScaledObjects (named after their service)."""
    return selector(metric, f'{KEDA_NAMESPACE}=~"$namespace"', f'{KEDA_OBJECT}=~"$service"')


def keda_scaled() -> str:
    """The services KEDA scales: those whose recorded HPA is KEDA's ``keda-hpa-<name>``."""
    return narrowed(conv.HPA_INFO_RECORD, f'{conv.HPA_LABEL}=~"{conv.KEDA_HPA_PREFIX}.+"')


def keda_per_service(expr: str) -> str:
    """``expr`` (KEDA labels: exported_namespace, scaledObject) relabelled as the service's
    ``namespace`` and ``service``, taken ``max`` per service."""
    renamed = f'label_replace({expr}, "namespace", "$1", "{KEDA_NAMESPACE}", "(.*)")'
    renamed = f'label_replace({renamed}, "{conv.SERVICE_LABEL}", "$1", "{KEDA_OBJECT}", "(.*)")'
    return f"max by (namespace, service) ({renamed})"
