"""Stage 3, model: the validated catalogue as typed, defaulted, per-environment objects.

The input spec (schema.py, camelCase keys, optional everything) stays apart
from this internal model: generators read only these dataclasses, with every
default applied and every override merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opsgen import durations
from opsgen.catalogue.defaults import default
from opsgen.catalogue.delivery import ArgoCd, Cluster, Delivery, argocd, delivery  # noqa: F401 (re-exported)
from opsgen.catalogue.load import Document
from opsgen.catalogue.merge import service_in, service_locator
from opsgen.catalogue.schema import MIN_FAILURES_DEFAULT, PERIOD_DEFAULT
from opsgen.catalogue.validate import environment_names
from opsgen.errors import Location, Problem

SEVERITIES = ("info", "warn", "page")  # ascending


@dataclass(frozen=True)
class Receiver:
    kind: str  # "pagerduty" | "slack"
    secret: str
    key: str
    channel: str | None = None


@dataclass(frozen=True)
class Conventions:
    """Metric names every service follows (platform.metrics)."""

    requests: str = default("platform", "metrics", "requests")
    outcome_label: str = default("platform", "metrics", "outcomeLabel")
    failure_outcome: str = default("platform", "metrics", "failureOutcome")
    duration: str = default("platform", "metrics", "duration")
    build_duration: str = default("platform", "metrics", "buildDuration")


@dataclass(frozen=True)
class Platform:
    name: str
    release: str = default("platform", "prometheus", "release")
    namespace: str = default("platform", "prometheus", "namespace")
    grafana_folder: str = ""
    kafka_bootstrap: str | None = None
    kafka_auth_secret: str | None = None
    kafka_auth_tls: bool = default("platform", "kafka", "auth", "tls")
    runbook_base_url: str | None = None
    alerting: dict[str, Receiver] = field(default_factory=dict)
    team_alerting: dict[str, dict[str, Receiver]] = field(default_factory=dict)  # platform.alerting.teams, by team
    metrics: Conventions = field(default_factory=Conventions)
    argocd: ArgoCd | None = None  # None: no Argo CD objects (platform.argocd.repoURL not given)
    slo_period: str = PERIOD_DEFAULT  # platform.slo.period as written
    slo_period_location: Location | None = None

    @property
    def slo_days(self) -> int:
        """The SLO period in days (validated: whole days, 1 to 90)."""
        return int(durations.seconds(self.slo_period) // 86400)


@dataclass(frozen=True)
class Alert:
    name: str
    expr: str
    severity: str
    summary: str
    for_: str = default("alerts", "for")
    description: str | None = None
    runbook: str | None = None
    team: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    location: Location | None = None  # of the expr, for errors found later
    name_location: Location | None = None


@dataclass(frozen=True)
class Metrics:
    port: str
    path: str = default("services", "metrics", "path")
    interval: str = default("services", "metrics", "interval")
    scrape_timeout: str | None = None
    monitor: str = default("services", "metrics", "monitor")
    exports: tuple[str, ...] = ()
    exposition: str | None = None
    location: Location | None = None
    exposition_location: Location | None = None
    selector: tuple[tuple[str, str], ...] = ()  # metrics.selector, sorted; () = the default selector


@dataclass(frozen=True)
class Kafka:
    topic: str
    consumer_group: str
    lag_threshold: int
    activation_lag_threshold: int | None = None
    partitions: int | None = None  # the topic's partition count: KEDA never runs more consumers


@dataclass(frozen=True)
class Scaling:
    min_replicas: int
    max_replicas: int
    kafka: Kafka | None = None
    cpu_target: int | None = None
    polling_interval: str = default("services", "scaling", "pollingInterval")
    cooldown_period: str = default("services", "scaling", "cooldownPeriod")

    @property
    def effective_max_replicas(self) -> int:
        """The most replicas the service can run: maxReplicas, and with Kafka at most one per
        partition (KEDA caps a kafka trigger at the partition count unless allowIdleConsumers,
        which opsgen never sets)."""
        partitions = self.kafka.partitions if self.kafka else None
        return min(self.max_replicas, partitions) if partitions else self.max_replicas

    @property
    def polling_seconds(self) -> int:
        return durations.whole_seconds(self.polling_interval)

    @property
    def cooldown_seconds(self) -> int:
        return durations.whole_seconds(self.cooldown_period)


@dataclass(frozen=True)
class LatencySlo:
    """slo.latency: ``objective`` percent of requests finish within ``threshold``."""

    threshold: str
    objective: float
    threshold_location: Location | None = None  # of the value, for the bucket checks


@dataclass(frozen=True)
class Slo:
    success_rate: float | None = None
    latency_p95: str | None = None
    backlog: int | None = None
    latency_location: Location | None = None  # of the latencyP95 value, for checks against the buckets
    requests_metric: str | None = None  # slo.requests.metric; None: platform.metrics.requests
    failures: tuple[tuple[str, str], ...] = ()  # slo.requests.failures (label, regex); (): the platform's outcome
    min_failures: int = MIN_FAILURES_DEFAULT
    success_location: Location | None = None  # of the successRate value
    latency: LatencySlo | None = None
    histogram: str = Conventions.duration  # what latencyP95 and latency read: slo.latency.metric, else platform's


@dataclass(frozen=True)
class Service:
    name: str
    namespace: str
    team: str
    role: str = default("services", "role")
    description: str | None = None
    metrics: Metrics | None = None
    scaling: Scaling | None = None
    slo: Slo = field(default_factory=Slo)
    alerts: tuple[Alert, ...] = ()
    location: Location | None = None

    @property
    def kafka(self) -> Kafka | None:
        """The Kafka scaling of the service, if it scales on Kafka."""
        return self.scaling.kafka if self.scaling else None


@dataclass(frozen=True)
class Environment:
    """One cluster: its name (None for the single unnamed one) and resolved services."""

    name: str | None
    max_severity: str
    services: tuple[Service, ...]
    delivery: Delivery = field(default_factory=Delivery)  # environments.<env>.argocd

    def lower(self, severity: str) -> str:
        """``severity`` capped at this environment's maxSeverity."""
        return min(severity, self.max_severity, key=SEVERITIES.index)

    @property
    def namespaces(self) -> tuple[str, ...]:
        return namespaces_of(self.services)


def namespaces_of(services: tuple[Service, ...]) -> tuple[str, ...]:
    """The namespaces these services live in, sorted, each once."""
    return tuple(sorted({s.namespace for s in services}))


@dataclass(frozen=True)
class Catalogue:
    file: str
    platform: Platform
    environments: tuple[Environment, ...]
    alerts: tuple[Alert, ...] = ()
    pipeline_topics: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()  # located warnings of the checks (exit status stays 0)


def build(doc: Document) -> Catalogue:
    """The model of a catalogue that validate() accepted."""
    data = doc.data
    platform = _platform(data["platform"], doc.locate(("platform", "slo", "period"), value=True))
    envs = tuple(_environment(doc, env, platform.metrics) for env in environment_names(data))
    alerts = tuple(_alert(a, _alert_locator(doc.locate, ("alerts", i))) for i, a in enumerate(data.get("alerts") or []))
    return Catalogue(doc.file, platform, envs, alerts, _pipeline(data, envs))


def _platform(raw: dict[str, Any], period_location: Location | None = None) -> Platform:
    prometheus, kafka = raw.get("prometheus") or {}, raw.get("kafka") or {}
    period = (raw.get("slo") or {}).get("period")
    auth, metrics = kafka.get("auth") or {}, raw.get("metrics") or {}
    return Platform(
        name=raw["name"],
        release=prometheus.get("release", default("platform", "prometheus", "release")),
        namespace=prometheus.get("namespace", default("platform", "prometheus", "namespace")),
        grafana_folder=(raw.get("grafana") or {}).get("folder", raw["name"]),
        kafka_bootstrap=kafka.get("bootstrapServers"),
        kafka_auth_secret=auth.get("secret"),
        kafka_auth_tls=bool(auth.get("tls", default("platform", "kafka", "auth", "tls"))),
        runbook_base_url=raw.get("runbookBaseUrl"),
        alerting={sev: _receiver(r) for sev, r in sorted((raw.get("alerting") or {}).items()) if sev != "teams"},
        team_alerting=_team_alerting((raw.get("alerting") or {}).get("teams") or {}),
        metrics=Conventions(
            requests=metrics.get("requests", default("platform", "metrics", "requests")),
            outcome_label=metrics.get("outcomeLabel", default("platform", "metrics", "outcomeLabel")),
            failure_outcome=metrics.get("failureOutcome", default("platform", "metrics", "failureOutcome")),
            duration=metrics.get("duration", default("platform", "metrics", "duration")),
            build_duration=metrics.get("buildDuration", default("platform", "metrics", "buildDuration")),
        ),
        slo_period=period or PERIOD_DEFAULT,
        slo_period_location=period_location if period else None,
        argocd=argocd(raw),
    )


def _team_alerting(raw: dict[str, Any]) -> dict[str, dict[str, Receiver]]:
    return {team: {sev: _receiver(r) for sev, r in sorted(spec.items())} for team, spec in sorted(raw.items())}


def _receiver(raw: dict[str, Any]) -> Receiver:
    ((kind, spec),) = raw.items()
    return Receiver(kind, spec["secret"], spec["key"], spec.get("channel"))


def _environment(doc: Document, env: str | None, metrics: Conventions) -> Environment:
    settings = ((doc.data.get("environments") or {}).get(env) or {}) if env else {}
    services = tuple(
        _service(service_in(raw, env), service_locator(doc, i, env), metrics.duration)
        for i, raw in enumerate(doc.data["services"])
    )
    return Environment(
        env,
        settings.get("maxSeverity", default("environments", "*", "maxSeverity")),
        services,
        delivery(settings.get("argocd") or {}),
    )


def _service(raw: dict[str, Any], locate, histogram: str) -> Service:
    """``histogram``: the platform's duration histogram, the default of slo.latency.metric."""
    alerts = tuple(
        _alert(a, _alert_locator(locate, ("alerts", i)), raw["team"]) for i, a in enumerate(raw.get("alerts") or [])
    )
    scaling = _scaling(raw["scaling"], raw["name"]) if "scaling" in raw else None
    return Service(
        name=raw["name"],
        namespace=raw["namespace"],
        team=raw["team"],
        role=raw.get("role", default("services", "role")),
        description=raw.get("description"),
        metrics=_metrics(raw["metrics"], locate(("metrics",)), locate(("metrics", "exposition")))
        if "metrics" in raw
        else None,
        scaling=scaling,
        slo=_slo(raw.get("slo") or {}, scaling, locate, histogram),
        alerts=alerts,
        location=locate(("name",)),
    )


def _metrics(raw: dict[str, Any], location: Location, exposition_location: Location | None = None) -> Metrics:
    return Metrics(
        port=raw["port"],
        path=raw.get("path", default("services", "metrics", "path")),
        interval=raw.get("interval", default("services", "metrics", "interval")),
        scrape_timeout=raw.get("scrapeTimeout"),
        monitor=raw.get("monitor", default("services", "metrics", "monitor")),
        exports=tuple(raw.get("exports") or ()),
        exposition=raw.get("exposition"),
        location=location,
        exposition_location=exposition_location,
        selector=tuple(sorted((raw.get("selector") or {}).items())),
    )


def _scaling(raw: dict[str, Any], service: str) -> Scaling:
    kafka = raw.get("kafka")
    return Scaling(
        min_replicas=int(raw.get("minReplicas", default("services", "scaling", "minReplicas"))),
        max_replicas=int(raw["maxReplicas"]),
        kafka=_kafka(kafka, service) if kafka else None,
        cpu_target=int(raw["cpu"]["targetUtilization"]) if raw.get("cpu") else None,
        polling_interval=raw.get("pollingInterval", default("services", "scaling", "pollingInterval")),
        cooldown_period=raw.get("cooldownPeriod", default("services", "scaling", "cooldownPeriod")),
    )


def _kafka(raw: dict[str, Any], service: str) -> Kafka:
    activation = raw.get("activationLagThreshold")
    return Kafka(
        topic=raw["topic"],
        consumer_group=raw.get("consumerGroup", service),
        lag_threshold=int(raw["lagThreshold"]),
        activation_lag_threshold=int(activation) if activation is not None else None,
        partitions=int(raw["partitions"]) if raw.get("partitions") is not None else None,
    )


def default_backlog(scaling: Scaling | None) -> int | None:
    """slo.backlog's default (schema.BACKLOG_DEFAULT): the lag at which KEDA would want more
    replicas than it can run; None without Kafka scaling (no lag to watch)."""
    if scaling is None or scaling.kafka is None:
        return None
    return scaling.effective_max_replicas * scaling.kafka.lag_threshold


def _slo(raw: dict[str, Any], scaling: Scaling | None, locate, histogram: str) -> Slo:
    """``histogram``: the platform's duration histogram, the default of slo.latency.metric."""
    p95, latency, requests = raw.get("latencyP95"), raw.get("latency"), raw.get("requests") or {}
    return Slo(
        success_rate=raw.get("successRate"),
        latency_p95=p95,
        backlog=raw.get("backlog", default_backlog(scaling)),
        latency_location=locate(("slo", "latencyP95"), value=True) if p95 is not None else None,
        requests_metric=requests.get("metric"),
        failures=tuple(sorted((requests.get("failures") or {}).items())),
        min_failures=int(raw.get("minFailures", default("services", "slo", "minFailures"))),
        success_location=locate(("slo", "successRate"), value=True) if raw.get("successRate") is not None else None,
        latency=LatencySlo(
            latency["threshold"], float(latency["objective"]), locate(("slo", "latency", "threshold"), value=True)
        )
        if latency
        else None,
        histogram=(latency or {}).get("metric", histogram),
    )


def _alert_locator(locate, path: tuple) -> tuple[Location, Location]:
    """Where an alert's expr (its value) and its name key are written."""
    return locate(path + ("expr",), value=True), locate(path + ("name",))


def _alert(raw: dict[str, Any], where: tuple[Location, Location], team: str | None = None) -> Alert:
    return Alert(
        name=raw["name"],
        expr=raw["expr"],
        severity=raw["severity"],
        summary=raw["summary"],
        for_=raw.get("for", default("alerts", "for")),
        description=raw.get("description"),
        runbook=raw.get("runbook"),
        team=raw.get("team", team),
        labels=tuple(sorted((raw.get("labels") or {}).items())),
        location=where[0],
        name_location=where[1],
    )


def _pipeline(data: dict[str, Any], envs: tuple[Environment, ...]) -> tuple[str, ...]:
    explicit = (data.get("pipeline") or {}).get("topics")
    if explicit:
        return tuple(explicit)
    topics: list[str] = []
    for service in envs[0].services:
        if service.kafka and service.kafka.topic not in topics:
            topics.append(service.kafka.topic)
    return tuple(topics)
