"""What prometheus-operator (0.73) makes of an AlertmanagerConfig, with the Alertmanager's
matcher strategy ``None``, as a plain Alertmanager config: for ``amtool`` and the real
Alertmanager in the tests, which check and test the routing without a cluster."""

from __future__ import annotations

from typing import Any

from opsgen.generate.kinds.alertmanager_config import (
    AlertmanagerConfigProps,
    InhibitRule,
    Matcher,
    Message,
    Receiver,
    SecretRef,
)

SECRETS_DIR = "/etc/alertmanager/secrets"  # where the stack mounts alertmanagerSpec.secrets
NULL_BASE: dict[str, Any] = {"route": {"receiver": "null"}, "receivers": [{"name": "null"}]}


def matcher_text(matcher: Matcher) -> str:
    """The matcher as Alertmanager's config writes it: ``name=~"value"``."""
    escaped = matcher.value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{matcher.name}{matcher.match_type}"{escaped}"'


def mounted_path(ref: SecretRef) -> str:
    return f"{SECRETS_DIR}/{ref.name}/{ref.key}"


def inhibit_json(rule: InhibitRule) -> dict[str, Any]:
    return {
        "source_matchers": [matcher_text(m) for m in rule.source_matchers()],
        "target_matchers": [matcher_text(m) for m in rule.target_matchers()],
        "equal": list(rule.equal),
    }


def pagerduty_json(message: Message) -> dict[str, Any]:
    """What the operator writes for ``Message.pagerduty()``: details as a map, links as href/text."""
    out: dict[str, Any] = {"description": message.summary, "details": dict(message.details())}
    if message.runbook_link:
        out["links"] = [{"href": message.runbook, "text": "Runbook"}]
    return out


def receiver_json(receiver: Receiver, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {"name": prefix + receiver.name}
    if receiver.pagerduty:
        config = {"routing_key_file": mounted_path(receiver.pagerduty), "send_resolved": True}
        out["pagerduty_configs"] = [{**config, **(pagerduty_json(receiver.message) if receiver.message else {})}]
    if receiver.slack:
        config = {"api_url_file": mounted_path(receiver.slack), "channel": receiver.channel, "send_resolved": True}
        out["slack_configs"] = [{**config, **(receiver.message.slack() if receiver.message else {})}]
    return out


def operator_config(props: AlertmanagerConfigProps, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Alertmanager configuration prometheus-operator generates from ``props``, merged
    into ``base``, the Alertmanager's own config (default: a root route that drops everything).

    As the operator does: the object's route becomes the first of the root's routes, with
    ``continue: true``, so the base's routes still see every alert; receivers are named
    ``<namespace>/<name>/<receiver>`` and appended, and so are the inhibit rules. Secret
    values are read from their mounted files, so the output carries no credential."""
    base = base if base is not None else NULL_BASE
    prefix = f"{props.meta.namespace}/{props.meta.name}/"
    route = {
        "receiver": prefix + props.default_receiver,
        "group_by": list(props.group_by),
        "continue": True,
        "routes": [
            {"receiver": prefix + r.receiver, "matchers": [matcher_text(m) for m in r.matchers]}
            for r in props.route_list()
        ],
    }
    root = dict(base["route"])
    root["routes"] = [route] + list(root.get("routes") or [])
    config: dict[str, Any] = {**base, "route": root}
    config["receivers"] = list(base.get("receivers") or []) + [receiver_json(r, prefix) for r in props.receivers]
    inhibit = list(base.get("inhibit_rules") or []) + [inhibit_json(rule) for rule in props.inhibit_rules()]
    if inhibit:
        config["inhibit_rules"] = inhibit
    return config
