"""Stage 4, generate: the model -> one cdk8s Chart per environment,
synthesized a batch of files at a time.

Each ``*_part`` function adds the objects of one concern to the chart; this
module only decides which parts go into which output file (names in
conventions.py), records how many objects each file gets, and hands the
synthesized batches on (build/batch.py) to be rendered (output/render.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue, Service
from opsgen.generate import alerting, argocd, routing
from opsgen.generate.batch import Batch
from opsgen.generate.context import Context, Part
from opsgen.generate.dashboards import dashboard_files
from opsgen.generate.kinds import (
    AlertmanagerConfig,
    Endpoint,
    HorizontalPodAutoscaler,
    HpaProps,
    KafkaTrigger,
    Namespace,
    NamespaceProps,
    ObjectMeta,
    Pending,
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
    inventory,
    pending_size,
    take_pending,
)
from opsgen.synth import engine

if TYPE_CHECKING:
    from cdk8s import Chart


# A batch closes after the file that takes its queued JSON past this size: it
# bounds what sits in memory at once (here and in Node) and keeps each jsii
# request small (see jsii/index.js, synthBatch). Batches never split a file.
# 128 KB against 1 MB: synth 0.85x the time at 1,000 services and 0.94x at 100
# (more overlap between building, Node and rendering), Node's peak 80 MB, not
# 133 MB (docs/performance.md).
BATCH_CHARS = 1 << 17


def generate(catalogue: Catalogue, batch_chars: int | None = None) -> Iterator[Batch]:
    """Every environment's objects, synthesized by cdk8s a batch at a time
    (batches of ``batch_chars``, default BATCH_CHARS); each environment ends
    with a batch (possibly of no files)."""
    inventories: dict[str | None, argocd.Inventory] = {}
    for env in catalogue.environments:
        yield from _environment(Context(catalogue, env), batch_chars or BATCH_CHARS, inventories)
    yield from _argocd(catalogue, inventories)


def _environment(ctx: Context, batch_chars: int, inventories: dict[str | None, argocd.Inventory]) -> Iterator[Batch]:
    """One Chart per environment; its objects are built file by file and cross
    to cdk8s in batches (one jsii call each, engine.synth_batch). A batch is
    synthesized on a thread of its own while the next one is built: the jsii
    call waits for Node, the building is Python, so the two overlap. What the
    environment's output holds goes to ``inventories`` (for the Argo CD project)."""
    chart = engine.new_chart(ctx.env.name or "default")
    prefix = conv.env_dir(ctx.env.name)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="opsgen-synth") as synthesis:
        in_flight: Future[Batch] | None = None
        for files in _batched_files(ctx, chart, batch_chars):
            taken = take_pending(chart)
            if in_flight is not None:
                yield in_flight.result()
            in_flight = synthesis.submit(_synthesized, chart, prefix, files, taken)
        if in_flight is not None:
            yield in_flight.result()
    inventories[ctx.env.name] = inventory(chart)


# -- Argo CD (platform.argocd): after every environment, from what their output holds --


def _argocd(catalogue: Catalogue, inventories: dict[str | None, argocd.Inventory]) -> Iterator[Batch]:
    """The Argo CD objects (generate/argocd.py) in one batch of conventions.ARGOCD_DIR;
    none without platform.argocd."""
    builds = argocd.files(catalogue, inventories)
    if not builds:
        return
    chart = engine.new_chart(conv.ARGOCD_DIR)
    files = []
    for path, build in builds:
        before = len(created(chart))
        build(chart)
        files.append((path, len(created(chart)) - before))
    yield _synthesized(chart, conv.ARGOCD_DIR, tuple(files), take_pending(chart))


def _batched_files(ctx: Context, chart: Chart, batch_chars: int) -> Iterator[tuple[tuple[str, int], ...]]:
    """Builds the environment's files into ``chart``, one batch at a time:
    (file path, objects) of each batch, once its queued JSON reaches
    ``batch_chars`` (a file is never split), and of the rest at the end."""
    files: list[tuple[str, int]] = []
    for path, parts in _files(ctx):
        before = len(created(chart))
        for part in parts:
            part(chart, ctx)
        files.append((path, len(created(chart)) - before))
        if pending_size(chart) >= batch_chars:
            yield tuple(files)
            files = []
    yield tuple(files)


def _synthesized(chart: Chart, prefix: str, files: tuple[tuple[str, int], ...], taken: Pending) -> Batch:
    return Batch(
        prefix, files, taken.identities, engine.synth_batch(chart, taken.manifests) if taken.identities else "[]"
    )


def _files(ctx: Context) -> Iterator[tuple[str, tuple[Part, ...]]]:
    """Every output file of the environment, in order, with the parts that fill it."""
    env = ctx.env
    for namespace in env.namespaces:
        yield conv.namespace_file(namespace), (_namespace_part(namespace),)
    for service in env.services:
        yield conv.service_file(service), (_monitor_part(service), _scaler_part(service), _rules_part(service))
    yield from platform_files(ctx)


def platform_files(ctx: Context) -> list[tuple[str, tuple[Part, ...]]]:
    """Files of platform-wide objects (alerting and dashboards add theirs here)."""
    return [*_alerting_files(ctx), *dashboard_files(ctx)]


def _alerting_files(ctx: Context) -> list[tuple[str, tuple[Part, ...]]]:
    files: list[tuple[str, tuple[Part, ...]]] = []
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
            assert scaling.cpu_target is not None  # validate: scaling needs kafka or cpu
            hpa = HpaProps(_meta(ctx, service), scaling.min_replicas, scaling.max_replicas, scaling.cpu_target)
            HorizontalPodAutoscaler(chart, hpa)
            return
        auth = conv.KAFKA_TRIGGER_AUTH if ctx.platform.kafka_auth_secret else None
        kafka = scaling.kafka
        assert ctx.platform.kafka_bootstrap is not None  # validate: required with Kafka scaling
        trigger = KafkaTrigger(
            ctx.platform.kafka_bootstrap,
            kafka.topic,
            kafka.consumer_group,
            kafka.lag_threshold,
            kafka.activation_lag_threshold,
            auth,
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
