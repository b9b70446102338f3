"""Where alerts go: ``platform.alerting`` as one AlertmanagerConfig.

Severities are opsgen's (``page``, ``warn``, ``info``) and kube-prometheus-stack's
(``critical``, ``warning``, ``info``, and ``none`` for Watchdog and InfoInhibitor):
``page``/``critical`` go to the page receiver and ``warn``/``warning`` to the warn
receiver, both first lowered to the environment's ``maxSeverity`` (dev never pages);
everything else (``info``, ``none``, a severity without a receiver, Watchdog and
InfoInhibitor, which kube-prometheus-stack sends to its ``null`` receiver) goes to
``default``, which has no integration. A firing ``page`` alert inhibits the ``warn``
alerts of the same namespace and service, never alerts without a service.
Notifications carry each alert's summary, description and runbook link.
"""
from __future__ import annotations

from opsgen import conventions as conv
from opsgen.generate.kinds import AlertmanagerConfigProps, InhibitRule, Matcher, Message, ObjectMeta, Receiver, Route, SecretRef
from opsgen.catalogue.model import SEVERITIES, Platform, Receiver as CatalogueReceiver
from opsgen.catalogue.templates import literal

ROUTED = ("page", "warn")  # severities that may have a receiver, most urgent first
# kube-prometheus-stack's severities, as the opsgen severity whose receiver takes them
STACK_SEVERITIES = {"critical": "page", "warning": "warn", "info": "info"}
# kube-prometheus-stack's always-firing alerts, for its null receiver: never notify
SILENT_ALERTS = ("Watchdog", "InfoInhibitor")

# Notification text (Alertmanager Go templates over a group of alerts)
_FIRST = "(index .Alerts 0).Annotations"
TITLE = (
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.alertname }}'
    "{{ if .CommonLabels.service }} {{ .CommonLabels.namespace }}/{{ .CommonLabels.service }}{{ end }}"
)
TEXT = (
    "{{ range .Alerts }}*{{ .Annotations.summary }}*"
    "{{ if .Annotations.description }}\n{{ .Annotations.description }}{{ end }}"
    "{{ if .Annotations.runbook_url }}\nRunbook: {{ .Annotations.runbook_url }}{{ end }}\n{{ end }}"
)
SUMMARY = "{{ .GroupLabels.alertname }}: {{ " + _FIRST + ".summary }}"
DESCRIPTION = "{{ " + _FIRST + ".description }}"
RUNBOOK = "{{ " + _FIRST + "." + conv.RUNBOOK_ANNOTATION + " }}"


def routing_props(platform: Platform, max_severity: str = "page") -> AlertmanagerConfigProps | None:
    """The AlertmanagerConfig for ``platform.alerting`` in an environment whose alerts go no
    higher than ``max_severity``; None when nothing is routed."""
    routed = [sev for sev in ROUTED if sev in platform.alerting]
    if not routed:
        return None
    message = _message(platform)
    receivers = (Receiver(conv.DEFAULT_RECEIVER),) + tuple(_receiver(sev, platform.alerting[sev], message) for sev in routed)
    labels = conv.platform_labels(platform, conv.ROUTING_PART)
    return AlertmanagerConfigProps(
        meta=ObjectMeta(conv.alertmanager_config_name(platform), platform.namespace, labels),
        routes=_routes(routed, max_severity),
        receivers=receivers,
        label=conv.SEVERITY_LABEL,
        default_receiver=conv.DEFAULT_RECEIVER,
        group_by=conv.ROUTE_GROUP_BY,
        inhibit=(InhibitRule((_severity("page"),), (_severity("warn"),), conv.INHIBIT_EQUAL),),
        inhibit_equal=conv.INHIBIT_EQUAL,
    )


def severities_to(receiver: str, max_severity: str) -> tuple[str, ...]:
    """Every severity label value whose alerts reach ``receiver``'s severity, once lowered
    to ``max_severity``: opsgen's own first, then kube-prometheus-stack's."""
    lowered = lambda sev: min(sev, max_severity, key=SEVERITIES.index)  # noqa: E731
    ours = [sev for sev in ROUTED if lowered(sev) == receiver]
    theirs = [name for name, sev in STACK_SEVERITIES.items() if sev in ROUTED and lowered(sev) == receiver]
    return tuple(ours + theirs)


def _routes(routed: list[str], max_severity: str) -> tuple[Route, ...]:
    silent = Route(conv.DEFAULT_RECEIVER, (Matcher("alertname", "|".join(SILENT_ALERTS), "=~"),))
    routes = [silent]
    for sev in routed:
        values = severities_to(sev, max_severity)
        if values:
            routes.append(Route(conv.receiver_name(sev), (_severity(*values),)))
    return tuple(routes)


def _severity(*values: str) -> Matcher:
    if len(values) == 1:
        return Matcher(conv.SEVERITY_LABEL, values[0])
    return Matcher(conv.SEVERITY_LABEL, "|".join(values), "=~")


def _message(platform: Platform) -> Message:
    """Every opsgen alert has a runbook when platform.runbookBaseUrl is set (and every
    kube-prometheus-stack alert has one): only then do messages carry a runbook button."""
    return Message(TITLE, TEXT, SUMMARY, DESCRIPTION, RUNBOOK, runbook_link=bool(platform.runbook_base_url))


def _receiver(severity: str, spec: CatalogueReceiver, message: Message) -> Receiver:
    secret = SecretRef(spec.secret, spec.key)
    if spec.kind == "pagerduty":
        return Receiver(conv.receiver_name(severity), pagerduty=secret, message=message)
    # Alertmanager expands the channel as a Go template: catalogue text stays text
    return Receiver(conv.receiver_name(severity), slack=secret, channel=literal(spec.channel) if spec.channel is not None else None, message=message)
