"""The alerts opsgen derives from a service, declared once each.

One entry per generated alert: its name (conventions.py), severity, ``for``, the
catalogue field it derives from and when it applies to a service. Everything
else is derived from this table: the reserved names a catalogue alert may not
take (alert_checks.py), whether a service gets a PrometheusRule (objects.py),
the alerts the SLO dashboard lists, and the builders in generate/alerting.py,
which hold one builder per entry (a test keeps the two key sets equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen import conventions as conv

if TYPE_CHECKING:
    from opsgen.catalogue.model import Service


@dataclass(frozen=True)
class GeneratedAlert:
    """name: the alert's name; severity and for_: its policy (the environment may
    lower the severity); source: the catalogue field it derives from, as messages
    name it; applies: whether a service gets it; slo: listed on the SLO dashboard."""

    name: str
    severity: str
    for_: str
    source: str
    applies: Callable[[Service], bool]
    slo: bool = False


def _success(s: Service) -> bool:
    return s.slo.success_rate is not None


def _latency(s: Service) -> bool:
    return s.slo.latency_p95 is not None


def _latency_slo(s: Service) -> bool:
    return s.slo.latency is not None


def _scales(s: Service) -> bool:  # always at its (effective) maximum: nothing to scale
    return s.scaling is not None and s.scaling.min_replicas < s.scaling.effective_max_replicas


ALERTS: tuple[GeneratedAlert, ...] = (
    GeneratedAlert(conv.ALERT_BURN_FAST, "page", "2m", "slo.successRate", _success, slo=True),
    GeneratedAlert(conv.ALERT_BURN_SLOW, "warn", "15m", "slo.successRate", _success, slo=True),
    GeneratedAlert(conv.ALERT_LATENCY, "warn", "10m", "slo.latencyP95", _latency, slo=True),
    GeneratedAlert(conv.ALERT_LATENCY_BURN_FAST, "page", "2m", "slo.latency", _latency_slo, slo=True),
    GeneratedAlert(conv.ALERT_LATENCY_BURN_SLOW, "warn", "15m", "slo.latency", _latency_slo, slo=True),
    GeneratedAlert(
        conv.ALERT_BACKLOG, "warn", "15m", "slo.backlog", lambda s: s.slo.backlog is not None and s.kafka is not None
    ),
    GeneratedAlert(conv.ALERT_TARGET_DOWN, "warn", "5m", "metrics", lambda s: s.metrics is not None),
    # its for is per service (alerting.absent_for): how long the SLO alert it stands in for takes
    GeneratedAlert(
        conv.ALERT_SLO_METRIC_ABSENT,
        "warn",
        "0s",
        "slo",
        lambda s: s.metrics is not None and (_success(s) or _latency(s) or _latency_slo(s)),
        slo=True,
    ),
    GeneratedAlert(conv.ALERT_AT_MAX, "warn", "15m", "scaling", _scales),
    GeneratedAlert(
        conv.ALERT_KEDA_ERRORS, "warn", "10m", "scaling.kafka", lambda s: s.scaling is not None and s.kafka is not None
    ),
)
BY_NAME: dict[str, GeneratedAlert] = {alert.name: alert for alert in ALERTS}
NAMES: tuple[str, ...] = tuple(BY_NAME)  # reserved: no catalogue alert may take one
SLO_ALERTS: tuple[str, ...] = tuple(a.name for a in ALERTS if a.slo)  # what the SLO dashboard lists


def applying(service: Service) -> tuple[GeneratedAlert, ...]:
    """The generated alerts of ``service``, in the table's (the output's) order."""
    return tuple(alert for alert in ALERTS if alert.applies(service))
