"""prometheus-operator AlertmanagerConfig (monitoring.coreos.com/v1alpha1): route alerts
on one label (``severity``) to receivers, everything else to a receiver with no
integration, and inhibit lower severities while a higher one fires.

Credentials are only ever referenced (Secret name + key), never written.
``operator_config`` renders what prometheus-operator makes of the object (with
the Alertmanager's matcher strategy ``None``) as a plain Alertmanager config,
so ``amtool check-config`` can check the routing without a cluster.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from constructs import Construct

from opsgen.build.lib.base import Manifest, ObjectMeta, require

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
SECRETS_DIR = "/etc/alertmanager/secrets"  # where the stack mounts alertmanagerSpec.secrets


@dataclass(frozen=True)
class SecretRef:
    """A key of a Secret in the AlertmanagerConfig's namespace."""

    name: str
    key: str

    def __post_init__(self) -> None:
        require(bool(self.name) and bool(self.key), "a secret reference needs a name and a key")

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "key": self.key}

    def mounted_path(self) -> str:
        return f"{SECRETS_DIR}/{self.name}/{self.key}"


@dataclass(frozen=True)
class Receiver:
    """name: unique within the object.
    pagerduty: Secret key holding the PagerDuty Events v2 routing key (default: none).
    slack: Secret key holding the Slack webhook URL (default: none); channel is then required.
    No integration at all makes a receiver that drops what reaches it."""

    name: str
    pagerduty: SecretRef | None = None
    slack: SecretRef | None = None
    channel: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.name), "a receiver needs a name")
        require(self.pagerduty is None or self.slack is None, "one integration per receiver")
        require(self.slack is None or bool(self.channel), "a Slack receiver needs a channel")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.pagerduty:
            out["pagerdutyConfigs"] = [{"routingKey": self.pagerduty.to_json(), "sendResolved": True}]
        if self.slack:
            out["slackConfigs"] = [{"apiURL": self.slack.to_json(), "channel": self.channel, "sendResolved": True}]
        return out

    def operator_json(self, prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": prefix + self.name}
        if self.pagerduty:
            out["pagerduty_configs"] = [{"routing_key_file": self.pagerduty.mounted_path(), "send_resolved": True}]
        if self.slack:
            out["slack_configs"] = [{"api_url_file": self.slack.mounted_path(), "channel": self.channel, "send_resolved": True}]
        return out


@dataclass(frozen=True)
class AlertmanagerConfigProps:
    """meta: name and namespace (the Secrets must live there too), labels.
    label: the alert label routed on (default "severity").
    routes: (label value, receiver name) pairs, tried in order.
    receivers: every receiver the routes name, plus ``default_receiver``.
    default_receiver: takes what no route matches; must have no integration (default "default").
    group_by: labels alerts are grouped by (default alertname, namespace, service).
    inhibit: (source value, target value) pairs: a firing source silences targets ...
    inhibit_equal: ... that have the same values of these labels (default namespace, service)."""

    meta: ObjectMeta
    routes: tuple[tuple[str, str], ...]
    receivers: tuple[Receiver, ...]
    label: str = "severity"
    default_receiver: str = "default"
    group_by: tuple[str, ...] = ("alertname", "namespace", "service")
    inhibit: tuple[tuple[str, str], ...] = ()
    inhibit_equal: tuple[str, ...] = ("namespace", "service")

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "an AlertmanagerConfig is namespaced")
        names = [r.name for r in self.receivers]
        require(len(names) == len(set(names)), f"receiver names repeat: {names}")
        require(self.default_receiver in names, f"default receiver {self.default_receiver!r} is not defined")
        default = self.receivers[names.index(self.default_receiver)]
        require(default.pagerduty is None and default.slack is None, "the default receiver has no integration")
        for _, receiver in self.routes:
            require(receiver in names, f"route to undefined receiver {receiver!r}")
        for label in (self.label,) + self.group_by + self.inhibit_equal:
            require(bool(_LABEL_NAME.match(label)), f"{label!r} is not a label name")

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"route": self._route(), "receivers": [r.to_json() for r in self.receivers]}
        if self.inhibit:
            spec["inhibitRules"] = [self._inhibit_rule(source, target) for source, target in self.inhibit]
        return spec

    def _matcher(self, value: str) -> dict[str, str]:
        return {"name": self.label, "value": value, "matchType": "="}

    def _route(self) -> dict[str, Any]:
        return {
            "receiver": self.default_receiver,
            "groupBy": list(self.group_by),
            "routes": [{"receiver": receiver, "matchers": [self._matcher(value)]} for value, receiver in self.routes],
        }

    def _inhibit_rule(self, source: str, target: str) -> dict[str, Any]:
        return {"sourceMatch": [self._matcher(source)], "targetMatch": [self._matcher(target)], "equal": list(self.inhibit_equal)}


class AlertmanagerConfig(Manifest):
    def __init__(self, scope: Construct, props: AlertmanagerConfigProps):
        super().__init__(
            scope,
            api_version="monitoring.coreos.com/v1alpha1",
            kind="AlertmanagerConfig",
            meta=props.meta,
            body={"spec": props.spec()},
        )


def operator_config(props: AlertmanagerConfigProps) -> dict[str, Any]:
    """The Alertmanager configuration prometheus-operator generates from ``props``
    (matcher strategy None: no namespace matcher is added), below a root route
    that drops everything else, as kube-prometheus-stack's base config does.

    The operator names receivers ``<namespace>/<name>/<receiver>``, makes the
    object's route a first-level route with ``continue: true``, and inlines Secret
    values; here each Secret key is read from its mounted file instead, so the
    output carries no credential and no placeholder."""
    prefix = f"{props.meta.namespace}/{props.meta.name}/"
    route = {
        "receiver": prefix + props.default_receiver,
        "group_by": list(props.group_by),
        "continue": True,
        "routes": [{"receiver": prefix + receiver, "matchers": [_text_matcher(props.label, value)]} for value, receiver in props.routes],
    }
    config: dict[str, Any] = {
        "route": {"receiver": "null", "routes": [route]},
        "receivers": [{"name": "null"}] + [r.operator_json(prefix) for r in props.receivers],
    }
    if props.inhibit:
        config["inhibit_rules"] = [
            {
                "source_matchers": [_text_matcher(props.label, source)],
                "target_matchers": [_text_matcher(props.label, target)],
                "equal": list(props.inhibit_equal),
            }
            for source, target in props.inhibit
        ]
    return config


def _text_matcher(label: str, value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{label}="{escaped}"'
