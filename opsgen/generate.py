"""Stage 4, generate: the model -> one cdk8s App per environment, one Chart per output file.

Each ``*_part`` function adds the objects of one concern to a chart; this
module only decides which parts go into which file (names in conventions.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from cdk8s import App, Chart

from . import conventions as conv
from .lib import (
    Endpoint,
    HorizontalPodAutoscaler,
    HpaProps,
    KafkaTrigger,
    Namespace,
    NamespaceProps,
    ObjectMeta,
    PodMonitor,
    PodMonitorProps,
    ScaledObject,
    ScaledObjectProps,
    ServiceMonitor,
    ServiceMonitorProps,
    TriggerAuthentication,
    TriggerAuthenticationProps,
)
from .model import Catalogue, Environment, Service


@dataclass(frozen=True)
class Context:
    """What every part may read: the whole catalogue and the environment being built."""

    catalogue: Catalogue
    env: Environment

    @property
    def platform(self):
        return self.catalogue.platform


@dataclass(frozen=True)
class EnvOutput:
    """The charts of one environment, keyed by file path relative to its directory."""

    env: Environment
    files: tuple[tuple[str, Chart], ...]


Part = Callable[[Chart, Context], None]


def generate(catalogue: Catalogue) -> list[EnvOutput]:
    return [_environment(catalogue, env) for env in catalogue.environments]


def _environment(catalogue: Catalogue, env: Environment) -> EnvOutput:
    app = App()
    ctx = Context(catalogue, env)
    files: list[tuple[str, Chart]] = []

    def chart(path: str, *parts: Part) -> None:
        c = Chart(app, path.replace("/", "."), disable_resource_name_hashes=True)
        for part in parts:
            part(c, ctx)
        files.append((path, c))

    for namespace in env.namespaces:
        chart(conv.namespace_file(namespace), _namespace_part(namespace))
    for service in env.services:
        chart(conv.service_file(service), _monitor_part(service), _scaler_part(service))
    for path, parts in platform_files(ctx):
        chart(path, *parts)
    return EnvOutput(env, tuple(files))


def platform_files(ctx: Context) -> list[tuple[str, tuple[Part, ...]]]:
    """Files of platform-wide objects (alerting and dashboards add theirs here)."""
    return []


def _meta(ctx: Context, service: Service) -> ObjectMeta:
    return ObjectMeta(service.name, service.namespace, conv.service_labels(ctx.platform, service))


def _namespace_part(namespace: str) -> Part:
    def part(chart: Chart, ctx: Context) -> None:
        services = [s for s in ctx.env.services if s.namespace == namespace]
        labels = conv.labels(ctx.platform, namespace, conv.namespace_team(services))
        Namespace(chart, NamespaceProps(ObjectMeta(namespace, None, labels)))
        if ctx.platform.kafka_auth_secret and any(s.scaling and s.scaling.kafka for s in services):
            meta = ObjectMeta(conv.KAFKA_TRIGGER_AUTH, namespace, labels)
            props = TriggerAuthenticationProps(meta, ctx.platform.kafka_auth_secret, ctx.platform.kafka_auth_tls)
            TriggerAuthentication(chart, props)

    return part


def _monitor_part(service: Service) -> Part:
    def part(chart: Chart, ctx: Context) -> None:
        metrics = service.metrics
        if metrics is None:
            return
        labels = {**conv.service_labels(ctx.platform, service), conv.RELEASE_LABEL: ctx.platform.release}
        meta = ObjectMeta(service.name, service.namespace, labels)
        selector = conv.selector_labels(service)
        if metrics.monitor == "pod":
            relabel = {"action": "replace", "targetLabel": conv.SERVICE_LABEL, "replacement": service.name}
            endpoint = Endpoint(metrics.port, metrics.path, metrics.interval, metrics.scrape_timeout, (relabel,))
            PodMonitor(chart, PodMonitorProps(meta, selector, endpoint))
        else:
            endpoint = Endpoint(metrics.port, metrics.path, metrics.interval, metrics.scrape_timeout)
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
