"""prometheus-operator AlertmanagerConfig (monitoring.coreos.com/v1alpha1): routes that
send alerts to receivers by their labels, everything else to a receiver with no
integration, and inhibit rules that silence alerts while a related one fires.

Credentials are only ever referenced (Secret name + key), never written.
(What prometheus-operator makes of the object, for amtool and the real
Alertmanager in the tests: tests/support/operator.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from opsgen.conventions import INHIBIT_EQUAL, ROUTE_GROUP_BY
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require, require_label_name

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct

MATCH_TYPES = ("=", "!=", "=~", "!~")
NON_EMPTY = ".+"  # regex of a label that is present (Alertmanager anchors matcher regexes)


@dataclass(frozen=True)
class Matcher:
    """name: a label name. value: what it is compared with. match_type: =, !=, =~ or !~ (default =)."""

    name: str
    value: str
    match_type: str = "="

    def __post_init__(self) -> None:
        require_label_name(self.name)
        require(self.match_type in MATCH_TYPES, f"match type {self.match_type!r} is not one of {MATCH_TYPES}")

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "value": self.value, "matchType": self.match_type}


@dataclass(frozen=True)
class Route:
    """receiver: takes the alerts that match every one of ``matchers`` (at least one)."""

    receiver: str
    matchers: tuple[Matcher, ...]

    def __post_init__(self) -> None:
        require(bool(self.matchers), f"the route to {self.receiver!r} needs a matcher (the root route takes the rest)")


@dataclass(frozen=True)
class InhibitRule:
    """A firing alert matching ``source`` silences alerts matching ``target`` that have the
    same values of the ``equal`` labels. Alertmanager counts a label both alerts lack as
    equal, so every ``equal`` label must also be present (non-empty) on both sides: a rule
    meant for one service never silences alerts that have no service at all."""

    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]

    def __post_init__(self) -> None:
        require(bool(self.source) and bool(self.target), "an inhibit rule needs source and target matchers")
        for label in self.equal:
            require_label_name(label)

    def _present(self) -> tuple[Matcher, ...]:
        return tuple(Matcher(label, NON_EMPTY, "=~") for label in self.equal)

    def source_matchers(self) -> tuple[Matcher, ...]:
        return self.source + self._present()

    def target_matchers(self) -> tuple[Matcher, ...]:
        return self.target + self._present()

    def to_json(self) -> dict[str, Any]:
        return {
            "sourceMatch": [m.to_json() for m in self.source_matchers()],
            "targetMatch": [m.to_json() for m in self.target_matchers()],
            "equal": list(self.equal),
        }


@dataclass(frozen=True)
class SecretRef:
    """A key of a Secret in the AlertmanagerConfig's namespace."""

    name: str
    key: str

    def __post_init__(self) -> None:
        require(bool(self.name) and bool(self.key), "a secret reference needs a name and a key")

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "key": self.key}


@dataclass(frozen=True)
class Message:
    """What a notification says, as Alertmanager Go templates over a notification's data
    (``.Status``, ``.GroupLabels``, ``.Alerts`` ...).

    title, text: Slack's title and text. summary, description, runbook: one line each,
    PagerDuty's description and details. runbook_link: also a Slack button and a PagerDuty
    link to ``runbook`` (only when every alert routed has a runbook: Slack and PagerDuty
    refuse a link without a URL)."""

    title: str
    text: str
    summary: str
    description: str
    runbook: str
    runbook_link: bool = False

    def slack(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "text": self.text}
        if self.runbook_link:
            out["actions"] = [{"type": "button", "text": "Runbook", "url": self.runbook}]
        return out

    def details(self) -> tuple[tuple[str, str], ...]:
        return (("summary", self.summary), ("description", self.description), ("runbook_url", self.runbook))

    def pagerduty(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "description": self.summary,
            "details": [{"key": k, "value": v} for k, v in self.details()],
        }
        if self.runbook_link:
            out["pagerDutyLinkConfigs"] = [{"href": self.runbook, "alt": "Runbook"}]
        return out


@dataclass(frozen=True)
class Receiver:
    """name: unique within the object.
    pagerduty: Secret key holding the PagerDuty Events v2 routing key (default: none).
    slack: Secret key holding the Slack webhook URL (default: none); channel is then required.
    message: what the notification says (default: Alertmanager's own, which shows
    little more than the alert name).
    No integration at all makes a receiver that drops what reaches it."""

    name: str
    pagerduty: SecretRef | None = None
    slack: SecretRef | None = None
    channel: str | None = None
    message: Message | None = None

    def __post_init__(self) -> None:
        require(bool(self.name), "a receiver needs a name")
        require(self.pagerduty is None or self.slack is None, "one integration per receiver")
        require(self.slack is None or bool(self.channel), "a Slack receiver needs a channel")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.pagerduty:
            config = {"routingKey": self.pagerduty.to_json(), "sendResolved": True}
            out["pagerdutyConfigs"] = [{**config, **(self.message.pagerduty() if self.message else {})}]
        if self.slack:
            config = {"apiURL": self.slack.to_json(), "channel": self.channel, "sendResolved": True}
            out["slackConfigs"] = [{**config, **(self.message.slack() if self.message else {})}]
        return out


RouteSpec = Union[Route, "tuple[str, str]"]
InhibitSpec = Union[InhibitRule, "tuple[str, str]"]


@dataclass(frozen=True)
class AlertmanagerConfigProps:
    """meta: name and namespace (the Secrets must live there too), labels.
    routes: tried in order; a Route, or a (value of ``label``, receiver name) pair.
    receivers: every receiver the routes name, plus ``default_receiver``.
    label: the label a (value, receiver) pair routes on (default "severity").
    default_receiver: takes what no route matches; must have no integration (default "default").
    group_by: labels alerts are grouped by (default alertname, namespace, service).
    inhibit: InhibitRules, or (source value, target value) pairs of ``label``: a firing
    source silences targets ...
    inhibit_equal: ... that have the same (non-empty) values of these labels (default namespace, service)."""

    meta: ObjectMeta
    routes: tuple[RouteSpec, ...]
    receivers: tuple[Receiver, ...]
    label: str = "severity"
    default_receiver: str = "default"
    group_by: tuple[str, ...] = ROUTE_GROUP_BY
    inhibit: tuple[InhibitSpec, ...] = ()
    inhibit_equal: tuple[str, ...] = INHIBIT_EQUAL

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "an AlertmanagerConfig is namespaced")
        names = [r.name for r in self.receivers]
        require(len(names) == len(set(names)), f"receiver names repeat: {names}")
        require(self.default_receiver in names, f"default receiver {self.default_receiver!r} is not defined")
        default = self.receivers[names.index(self.default_receiver)]
        require(default.pagerduty is None and default.slack is None, "the default receiver has no integration")
        for label in (self.label,) + self.group_by + self.inhibit_equal:
            require_label_name(label)
        for route in self.route_list():
            require(route.receiver in names, f"route to undefined receiver {route.receiver!r}")

    def route_list(self) -> tuple[Route, ...]:
        return tuple(r if isinstance(r, Route) else Route(r[1], (Matcher(self.label, r[0]),)) for r in self.routes)

    def inhibit_rules(self) -> tuple[InhibitRule, ...]:
        return tuple(
            r
            if isinstance(r, InhibitRule)
            else InhibitRule((Matcher(self.label, r[0]),), (Matcher(self.label, r[1]),), self.inhibit_equal)
            for r in self.inhibit
        )

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"route": self._route(), "receivers": [r.to_json() for r in self.receivers]}
        if self.inhibit:
            spec["inhibitRules"] = [rule.to_json() for rule in self.inhibit_rules()]
        return spec

    def _route(self) -> dict[str, Any]:
        return {
            "receiver": self.default_receiver,
            "groupBy": list(self.group_by),
            "routes": [
                {"receiver": r.receiver, "matchers": [m.to_json() for m in r.matchers]} for r in self.route_list()
            ],
        }


class AlertmanagerConfig(Manifest):
    def __init__(self, scope: Construct, props: AlertmanagerConfigProps):
        super().__init__(
            scope,
            api_version="monitoring.coreos.com/v1alpha1",
            kind="AlertmanagerConfig",
            meta=props.meta,
            body={"spec": props.spec()},
        )
