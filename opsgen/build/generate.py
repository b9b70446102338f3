"""Stage 4, generate: the model -> one cdk8s Chart per environment.

Each ``*_part`` function adds the objects of one concern to the chart; this
module only decides which parts go into which output file (names in
conventions.py) and records how many objects each file gets.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from opsgen.output import bridge

bridge.prepare()  # before cdk8s starts its jsii kernel
from cdk8s import App, Chart  # noqa: E402

from opsgen.build import alerting, routing  # noqa: E402
from opsgen import conventions as conv
from opsgen.build.context import Context, Part
from opsgen.build.dashboards import dashboard_files
from opsgen.build.lib import (
    AlertmanagerConfig,
    Endpoint,
    HorizontalPodAutoscaler,
    HpaProps,
    KafkaTrigger,
    Namespace,
    NamespaceProps,
    ObjectMeta,
    PodMonitor,
    PodMonitorProps,
    PrometheusRule,
    PrometheusRuleProps,
    ScaledObject,
    ScaledObjectProps,
    ServiceMonitor,
    ServiceMonitorProps,
    TriggerAuthentication,
    TriggerAuthenticationProps,
    created,
)
from opsgen.catalogue.model import Catalogue, Environment, Service


@dataclass(frozen=True)
class EnvOutput:
    """One environment: its chart, and which of the chart's objects (in creation
    order) go to which file, as (file path, number of objects)."""

    env: Environment
    chart: Chart
    files: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Shard:
    """Which files to build: those whose position in an environment's file list
    is ``index`` modulo ``count`` (default: all of them)."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise ValueError(f"shard {self.index} of {self.count}")

    def takes(self, position: int) -> bool:
        return position % self.count == self.index


def generate(catalogue: Catalogue, shard: Shard = Shard()) -> list[EnvOutput]:
    return [_environment(catalogue, env, shard) for env in catalogue.environments]


def _environment(catalogue: Catalogue, env: Environment, shard: Shard) -> EnvOutput:
    """One Chart per environment: cdk8s synthesizes it with one crossing (lib.synth), where a chart per file would cost two jsii calls per file."""
    ctx = Context(catalogue, env)
    chart = Chart(App(), env.name or "default", disable_resource_name_hashes=True)
    files: list[tuple[str, int]] = []
    positions = itertools.count()

    def add(path: str, *parts: Part) -> None:
        if not shard.takes(next(positions)):
            return
        before = len(created(chart))
        for part in parts:
            part(chart, ctx)
        files.append((path, len(created(chart)) - before))

    for namespace in env.namespaces:
        add(conv.namespace_file(namespace), _namespace_part(namespace))
    for service in env.services:
        add(conv.service_file(service), _monitor_part(service), _scaler_part(service), _rules_part(service))
    for path, parts in platform_files(ctx):
        add(path, *parts)
    return EnvOutput(env, chart, tuple(files))


def platform_files(ctx: Context) -> list[tuple[str, tuple[Part, ...]]]:
    """Files of platform-wide objects (alerting and dashboards add theirs here)."""
    return [*_alerting_files(ctx), *dashboard_files(ctx)]


def _alerting_files(ctx: Context) -> list[tuple[str, tuple[Part, ...]]]:
    files = []
    if ctx.catalogue.alerts or ctx.catalogue.pipeline_topics:  # alerts, pipeline stage series
        files.append((conv.platform_file(ctx.platform, conv.ALERTS_PART), (_platform_rules_part,)))
    if routing.routing_props(ctx.platform) is not None:
        files.append((conv.platform_file(ctx.platform, conv.ROUTING_PART), (_routing_part,)))
    return files


def _released(ctx: Context, labels: dict[str, str]) -> dict[str, str]:
    """``labels`` plus the release label kube-prometheus-stack selects monitors and rules by."""
    return {**labels, conv.RELEASE_LABEL: ctx.platform.release}


def _rules_part(service: Service) -> Part:
    def part(chart: Chart, ctx: Context) -> None:
        groups = alerting.service_groups(service, ctx.env, ctx.platform)
        if not groups:
            return
        labels = _released(ctx, conv.service_labels(ctx.platform, service))
        meta = ObjectMeta(conv.rule_name(service), service.namespace, labels)
        PrometheusRule(chart, PrometheusRuleProps(meta, groups))

    return part


def _platform_rules_part(chart: Chart, ctx: Context) -> None:
    platform = ctx.platform
    groups = alerting.platform_groups(ctx.catalogue.alerts, ctx.env, platform, ctx.catalogue.pipeline_topics)
    name = conv.platform_rule_name(platform)
    labels = _released(ctx, conv.platform_labels(platform, conv.ALERTS_PART))
    PrometheusRule(chart, PrometheusRuleProps(ObjectMeta(name, platform.namespace, labels), groups))


def _routing_part(chart: Chart, ctx: Context) -> None:
    props = routing.routing_props(ctx.platform, ctx.env.max_severity)
    if props is not None:
        AlertmanagerConfig(chart, props)


def _meta(ctx: Context, service: Service) -> ObjectMeta:
    return ObjectMeta(service.name, service.namespace, conv.service_labels(ctx.platform, service))


def _namespace_part(namespace: str) -> Part:
    def part(chart: Chart, ctx: Context) -> None:
        services = [s for s in ctx.env.services if s.namespace == namespace]
        labels = conv.labels(ctx.platform, namespace, conv.namespace_team(services))
        if namespace != ctx.platform.namespace:  # helmfile creates and owns the stack's namespace
            Namespace(chart, NamespaceProps(ObjectMeta(namespace, None, labels)))
        if ctx.platform.kafka_auth_secret and any(s.kafka for s in services):
            meta = ObjectMeta(conv.KAFKA_TRIGGER_AUTH, namespace, labels)
            props = TriggerAuthenticationProps(meta, ctx.platform.kafka_auth_secret, ctx.platform.kafka_auth_tls)
            TriggerAuthentication(chart, props)

    return part


def _monitor_part(service: Service) -> Part:
    def part(chart: Chart, ctx: Context) -> None:
        metrics = service.metrics
        if metrics is None:
            return
        labels = _released(ctx, conv.service_labels(ctx.platform, service))
        meta = ObjectMeta(service.name, service.namespace, labels)
        selector = conv.selector_labels(service)
        # Alerts and dashboards select {namespace, service}: both kinds set ``service`` to the
        # catalogue name (a ServiceMonitor's would otherwise be the Kubernetes Service's name).
        relabel = {"action": "replace", "targetLabel": conv.SERVICE_LABEL, "replacement": service.name}
        endpoint = Endpoint(metrics.port, metrics.path, metrics.interval, metrics.scrape_timeout, (relabel,))
        if metrics.monitor == "pod":
            PodMonitor(chart, PodMonitorProps(meta, selector, endpoint))
        else:
            ServiceMonitor(chart, ServiceMonitorProps(meta, selector, endpoint))

    return part


def _scaler_part(service: Service) -> Part:
    def part(chart: Chart, ctx: Context) -> None:
        scaling = service.scaling
        if scaling is None:
            return
        if scaling.kafka is None:  # cpu only: a plain HPA (never beside a ScaledObject)
            props = HpaProps(_meta(ctx, service), scaling.min_replicas, scaling.max_replicas, scaling.cpu_target)
            HorizontalPodAutoscaler(chart, props)
            return
        auth = conv.KAFKA_TRIGGER_AUTH if ctx.platform.kafka_auth_secret else None
        kafka = scaling.kafka
        trigger = KafkaTrigger(
            ctx.platform.kafka_bootstrap, kafka.topic, kafka.consumer_group, kafka.lag_threshold, kafka.activation_lag_threshold, auth
        )
        props = ScaledObjectProps(
            _meta(ctx, service),
            scaling.min_replicas,
            scaling.max_replicas,
            trigger,
            scaling.cpu_target,
            scaling.polling_seconds,
            scaling.cooldown_seconds,
        )
        ScaledObject(chart, props)

    return part
