"""PromQL building blocks of the dashboards: selectors on the template variables.

A service's series are ``{namespace="<namespace>", service="<name>"}`` (the
catalogue contract); the ``$namespace`` and ``$service`` variables narrow every
query that has such labels. Grafana expands a multi-value variable inside a
regex matcher to ``(a|b)`` and "All" to ``.+``.
"""
from __future__ import annotations

import json
from typing import Iterable

from .. import conventions as conv
from ..model import Service

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
    return f"{label}={json.dumps(value)}"


def one_of(label: str, names: Iterable[str]) -> str:
    """A regex matcher on DNS-1123 names (no regex metacharacters to escape)."""
    return f'{label}=~"{"|".join(names)}"'


def services(group: Iterable[Service]) -> tuple[str, ...]:
    """Matchers for a group of catalogue services, narrowed by the variables."""
    group = tuple(group)
    namespaces = one_of("namespace", sorted({s.namespace for s in group}))
    return (IN_NAMESPACE, IN_SERVICE, namespaces, one_of(conv.SERVICE_LABEL, [s.name for s in group]))


def service(svc: Service) -> tuple[str, ...]:
    """Matchers for one service's own series, narrowed by the variables."""
    return (IN_NAMESPACE, IN_SERVICE, f'namespace="{svc.namespace}"', f'{conv.SERVICE_LABEL}="{svc.name}"')


def hpa(svc: Service) -> tuple[str, ...]:
    """kube-state-metrics matchers for a service's HPA, narrowed by the variables."""
    prefix = conv.KEDA_HPA_PREFIX if svc.scaling and svc.scaling.kafka else ""
    return (
        IN_NAMESPACE,
        f'horizontalpodautoscaler=~"{prefix}$service"',
        f'namespace="{svc.namespace}"',
        f'horizontalpodautoscaler="{conv.hpa_name(svc)}"',
    )


def constant_line(value: float, series: str) -> str:
    """``value`` wherever ``series`` has samples: a threshold line that follows the variables."""
    return f"{series} * 0 + {value:g}"


def per_service(expr: str, *labels: str) -> str:
    """``expr`` summed per service (and per ``labels``)."""
    return f"sum by ({', '.join(('namespace', 'service') + labels)}) ({expr})"
