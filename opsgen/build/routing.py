"""Where alerts go: ``platform.alerting`` as one AlertmanagerConfig.

``severity=page`` goes to the page receiver, ``severity=warn`` to the warn
receiver, everything else (``info``, and a severity without a receiver) to
``default``, which has no integration. A firing ``page`` alert inhibits the
``warn`` alerts of the same namespace and service.
"""
from __future__ import annotations

from opsgen import conventions as conv
from opsgen.build.lib import AlertmanagerConfigProps, ObjectMeta, Receiver, SecretRef
from opsgen.catalogue.model import Platform, Receiver as CatalogueReceiver
from opsgen.catalogue.templates import literal

ROUTED = ("page", "warn")  # severities that may have a receiver, most urgent first


def routing_props(platform: Platform) -> AlertmanagerConfigProps | None:
    """The AlertmanagerConfig for ``platform.alerting``; None when nothing is routed."""
    routed = [sev for sev in ROUTED if sev in platform.alerting]
    if not routed:
        return None
    receivers = (Receiver(conv.DEFAULT_RECEIVER),) + tuple(_receiver(sev, platform.alerting[sev]) for sev in routed)
    labels = conv.platform_labels(platform, conv.ROUTING_PART)
    return AlertmanagerConfigProps(
        meta=ObjectMeta(conv.alertmanager_config_name(platform), platform.namespace, labels),
        routes=tuple((sev, conv.receiver_name(sev)) for sev in routed),
        receivers=receivers,
        label=conv.SEVERITY_LABEL,
        default_receiver=conv.DEFAULT_RECEIVER,
        group_by=conv.ROUTE_GROUP_BY,
        inhibit=(("page", "warn"),),
        inhibit_equal=conv.INHIBIT_EQUAL,
    )


def _receiver(severity: str, spec: CatalogueReceiver) -> Receiver:
    secret = SecretRef(spec.secret, spec.key)
    if spec.kind == "pagerduty":
        return Receiver(conv.receiver_name(severity), pagerduty=secret)
    # Alertmanager expands the channel as a Go template: catalogue text stays text
    return Receiver(conv.receiver_name(severity), slack=secret, channel=literal(spec.channel or ""))
