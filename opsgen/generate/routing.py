"""Where alerts go: ``platform.alerting`` as one AlertmanagerConfig.

Severities are opsgen's (``page``, ``warn``, ``info``) and kube-prometheus-stack's
(``critical``, ``warning``, ``info``, and ``none`` for Watchdog and InfoInhibitor):
``page``/``critical`` go to the page receiver and ``warn``/``warning`` to the warn
receiver, both first lowered to the environment's ``maxSeverity`` (dev never pages);
everything else (``info``, ``none``, a severity without a receiver, Watchdog and
InfoInhibitor, which kube-prometheus-stack sends to its ``null`` receiver) goes to
``default``, which has no integration. A team with receivers of its own
(``platform.alerting.teams``) is routed first, on ``team`` and the same severities: its
alerts reach its receiver and no other; a severity it names no receiver for falls through
to the platform's. kube-prometheus-stack's alerts carry no ``team``: always the platform's. A firing ``page`` alert inhibits the ``warn``
alerts of the same namespace and service, never alerts without a service.
Notifications carry each alert's summary, description and runbook link.
"""

from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.model import SEVERITIES, Platform
from opsgen.catalogue.model import Receiver as CatalogueReceiver
from opsgen.catalogue.templates import literal
from opsgen.generate.kinds import (
    AlertmanagerConfigProps,
    InhibitRule,
    Matcher,
    Message,
    ObjectMeta,
    Receiver,
    Route,
    SecretRef,
)

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
    teams = team_receivers(platform)
    if not routed and not teams:
        return None
    message = _message(platform)
    receivers = (Receiver(conv.DEFAULT_RECEIVER),) + tuple(
        _receiver(conv.receiver_name(sev), platform.alerting[sev], message) for sev in routed
    )
    receivers += tuple(_receiver(conv.team_receiver_name(team, sev), spec, message) for team, sev, spec in teams)
    labels = conv.platform_labels(platform, conv.ROUTING_PART)
    return AlertmanagerConfigProps(
        meta=ObjectMeta(conv.alertmanager_config_name(platform), platform.namespace, labels),
        routes=_routes(routed, teams, max_severity),
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


def team_receivers(platform: Platform) -> tuple[tuple[str, str, CatalogueReceiver], ...]:
    """(team, severity, receiver) of every team's own receiver, by team, most urgent first."""
    teams = platform.team_alerting
    return tuple((team, sev, teams[team][sev]) for team in sorted(teams) for sev in ROUTED if sev in teams[team])


def _routes(routed: list[str], teams: tuple, max_severity: str) -> tuple[Route, ...]:
    """Silent alerts first, then every team's own routes (first match wins: a team's alert
    never reaches another receiver), then the platform's."""
    silent = Route(conv.DEFAULT_RECEIVER, (Matcher("alertname", "|".join(SILENT_ALERTS), "=~"),))
    routes = [silent]
    for team, sev, _ in teams:
        values = severities_to(sev, max_severity)
        if values:
            routes.append(
                Route(conv.team_receiver_name(team, sev), (Matcher(conv.TEAM_LABEL, team), _severity(*values)))
            )
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


def _receiver(name: str, spec: CatalogueReceiver, message: Message) -> Receiver:
    secret = SecretRef(spec.secret, spec.key)
    if spec.kind == "pagerduty":
        return Receiver(name, pagerduty=secret, message=message)
    # Alertmanager expands the channel as a Go template: catalogue text stays text
    return Receiver(
        name, slack=secret, channel=literal(spec.channel) if spec.channel is not None else None, message=message
    )
