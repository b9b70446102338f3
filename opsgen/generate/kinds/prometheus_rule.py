"""prometheus-operator PrometheusRule (monitoring.coreos.com/v1).

The ``spec`` of the object is a plain Prometheus rule file (``groups:``), so
``promtool check rules`` and ``promtool test rules`` run on it unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opsgen import durations
from opsgen.catalogue.promql import syntax_error
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require, require_label_name

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct

_METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


@dataclass(frozen=True)
class Rule:
    """One rule: exactly one of ``alert`` (an alerting rule) or ``record`` (a recording rule).

    expr: PromQL; must parse.
    for_: how long the condition must hold (alerting only; default: fire at once, "for" omitted).
    labels: added to the alert or recorded series (default none).
    annotations: summary, description, runbook_url ... (alerting only; default none).
    """

    expr: str
    alert: str | None = None
    record: str | None = None
    for_: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require((self.alert is None) != (self.record is None), "a rule has exactly one of alert and record")
        require(syntax_error(self.expr) is None, f"rule expr does not parse: {self.expr!r}")
        if self.record is not None:
            require(bool(_METRIC_NAME.match(self.record)), f"record {self.record!r} is not a metric name")
            require(self.for_ is None and not self.annotations, "a recording rule has no for or annotations")
        if self.for_ is not None:
            require(durations.is_duration(self.for_), f"for {self.for_!r} is not a duration")
        for name in list(self.labels) + list(self.annotations):
            require_label_name(name)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"alert": self.alert} if self.alert else {"record": self.record}
        out["expr"] = self.expr
        if self.for_ and durations.seconds(self.for_) > 0:
            out["for"] = self.for_
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


@dataclass(frozen=True)
class RuleGroup:
    """name: unique within the object. rules: at least one, evaluated in order.
    interval: evaluation interval (default: the Prometheus global one)."""

    name: str
    rules: tuple[Rule, ...]
    interval: str | None = None

    def __post_init__(self) -> None:
        require(bool(self.name), "a rule group needs a name")
        require(bool(self.rules), f"rule group {self.name!r} has no rules")
        require(self.interval is None or durations.is_duration(self.interval), "interval must be a duration")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.interval:
            out["interval"] = self.interval
        out["rules"] = [r.to_json() for r in self.rules]
        return out


@dataclass(frozen=True)
class PrometheusRuleProps:
    """meta: name, namespace, labels (include the ``release`` label the Prometheus selects on).
    groups: at least one, names unique."""

    meta: ObjectMeta
    groups: tuple[RuleGroup, ...]

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "a PrometheusRule is namespaced")
        require(bool(self.groups), "a PrometheusRule needs at least one rule group")
        names = [g.name for g in self.groups]
        require(len(names) == len(set(names)), f"rule group names repeat: {names}")

    def spec(self) -> dict[str, Any]:
        """The object's spec: also a plain Prometheus rule file."""
        return {"groups": [g.to_json() for g in self.groups]}


class PrometheusRule(Manifest):
    def __init__(self, scope: Construct, props: PrometheusRuleProps):
        super().__init__(
            scope,
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            meta=props.meta,
            body={"spec": props.spec()},
        )
