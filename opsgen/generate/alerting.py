"""Alert rules from the model: the catalogue's own alerts, and the alerts opsgen
derives from each service's ``slo``, metrics and scaling.

Which alerts a service gets, with their severity and ``for``, is one table
(catalogue/generated_alerts.py); ``BUILDERS`` holds the builder of each
entry. Every generated alert is a ``model.Alert`` like a written one, and
``rule`` turns any alert into a PrometheusRule rule with the environment's
severity cap, runbook and owner labels. Names live in conventions.py.

The success-rate SLO's records and burn alerts are slo.py's, the latency ones
(slo.latencyP95, slo.latency) latency.py's; this module holds the generic alerts, the
catalogue facts and ``rule``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from opsgen import conventions as conv
from opsgen import durations
from opsgen.catalogue import burn
from opsgen.catalogue import generated_alerts as table
from opsgen.catalogue.model import Alert, Environment, Platform, Service
from opsgen.catalogue.templates import literal
from opsgen.generate import latency, slo
from opsgen.generate.expr import generated as _alert  # noqa: F401 (re-exported: tests, dashboards)
from opsgen.generate.expr import identity, number, selector
from opsgen.generate.expr import who as _who
from opsgen.generate.kinds import Rule, RuleGroup

RATE_WINDOW = conv.RATE_WINDOW


# --- recording rules -------------------------------------------------------


def live_rules(service: Service) -> tuple[Rule, ...]:
    """Series recorded from live data besides the SLO's: the consumer group's lag on its
    topic (``opsgen:kafka_consumergroup_lag:sum``, kafka-exporter's series carry no
    namespace or service), evaluated with the SLO's fast windows."""
    kafka = service.kafka
    if kafka is None:
        return ()
    return (Rule(record=conv.KAFKA_LAG_RECORD, expr=f"sum({committed_lag(kafka)})", labels=identity(service)),)


def catalogue_rules(service: Service) -> tuple[Rule, ...]:
    """What the catalogue says about a service, as series labelled with its identity
    (``vector(<constant>)`` with static labels, as Sloth records ``slo:objective:ratio``),
    so dashboards select and join by ``{namespace, service}`` instead of listing services:

    - ``opsgen:service_info`` = 1, label ``role`` (every service with metrics);
    - ``opsgen:slo_latency_p95:seconds`` (the success SLO's objective is Sloth's ``slo:objective:ratio``);
    - ``opsgen:kafka_lag_threshold`` and ``opsgen:kafka_backlog_threshold`` (slo.backlog);
    - ``opsgen:hpa_info`` = 1, label ``horizontalpodautoscaler``: the HPA that scales it
      (kube-state-metrics' series join on it)."""
    ident = identity(service)

    def record(name: str, expr: str, **extra: str) -> Rule:
        return Rule(record=name, expr=expr, labels={**ident, **extra})

    out: list[Rule] = []
    if service.metrics is not None:
        out.append(record(conv.SERVICE_INFO_RECORD, "vector(1)", **{conv.ROLE_LABEL: service.role}))
    if service.slo.latency_p95 is not None:
        out.append(record(conv.SLO_LATENCY_RECORD, f"vector({number(durations.seconds(service.slo.latency_p95))})"))
    kafka = service.kafka
    if kafka is not None:
        out.append(record(conv.KAFKA_LAG_THRESHOLD_RECORD, f"vector({kafka.lag_threshold})"))
        if service.slo.backlog is not None:
            out.append(record(conv.KAFKA_BACKLOG_RECORD, f"vector({service.slo.backlog})"))
    if service.scaling is not None:
        out.append(record(conv.HPA_INFO_RECORD, "vector(1)", **{conv.HPA_LABEL: conv.hpa_name(service)}))
    return tuple(out)


def dashboard_rules(service: Service) -> tuple[Rule, ...]:
    """More catalogue facts the dashboards join on, recorded like ``catalogue_rules``:

    - ``opsgen:kafka_consumer_info`` = 1, labels ``consumergroup`` and ``topic``: maps
      kafka-exporter's per-partition series (which carry no namespace or service) to the
      service, for per-partition lag, consume rate and lag without kafka-exporter's -1s;
    - ``opsgen:scaling_min_replicas`` = scaling.minReplicas: the bound the catalogue sets
      (KEDA's HPA says 1 for a service KEDA scales to zero)."""
    ident = identity(service)
    out: list[Rule] = []
    kafka = service.kafka
    if kafka is not None:
        labels = {**ident, conv.CONSUMER_GROUP_LABEL: kafka.consumer_group, conv.TOPIC_LABEL: kafka.topic}
        out.append(Rule(record=conv.KAFKA_CONSUMER_INFO_RECORD, expr="vector(1)", labels=labels))
    if service.scaling is not None:
        out.append(Rule(record=conv.MIN_REPLICAS_RECORD, expr=f"vector({service.scaling.min_replicas})", labels=ident))
    return tuple(out)


def committed_lag(kafka) -> str:
    """The consumer group's lag per partition, without the -1 kafka_exporter (v1.9.0)
    reports for partitions the group never committed (summed, they cancel real backlog)."""
    return selector("kafka_consumergroup_lag", {"consumergroup": kafka.consumer_group, "topic": kafka.topic}) + " >= 0"


def pipeline_stages(topics: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(topic, stage label) in pipeline order; a topic listed twice keeps its first stage
    (a topic is one series: two stage labels would make the dashboards' joins ambiguous)."""
    distinct = tuple(dict.fromkeys(topics))
    return tuple((topic, conv.pipeline_stage(i, len(distinct))) for i, topic in enumerate(distinct))


def pipeline_edges(topics: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(topic, next topic) for each consecutive pair of ``pipeline.topics``, once each,
    without a topic followed by itself."""
    return tuple(dict.fromkeys((a, b) for a, b in zip(topics, topics[1:]) if a != b))


def pipeline_rules(topics: tuple[str, ...]) -> tuple[Rule, ...]:
    """The pipeline's stage order as constant series with static labels (no query lists
    the topics; the Pipeline Funnel joins on ``topic``):

    - ``opsgen:pipeline_stage:info{topic, stage}`` = 1, ``stage`` "01", "02", ... (value 1,
      so that ``* on(topic) group_left(stage)`` adds the label and keeps the rate);
    - ``opsgen:pipeline_edge:info{topic, next_topic}`` = 1 for consecutive stages.

    Label values are plain strings in the rule file (recording rules do not template
    labels), so any topic name is safe; no topic is written into an expression."""
    stages = tuple(
        Rule(
            record=conv.PIPELINE_STAGE_RECORD,
            expr="vector(1)",
            labels={conv.TOPIC_LABEL: topic, conv.STAGE_LABEL: stage},
        )
        for topic, stage in pipeline_stages(topics)
    )
    edges = tuple(
        Rule(record=conv.PIPELINE_EDGE_RECORD, expr="vector(1)", labels={conv.TOPIC_LABEL: a, conv.NEXT_TOPIC_LABEL: b})
        for a, b in pipeline_edges(topics)
    )
    return stages + edges


# --- generated alerts ------------------------------------------------------


def generated_alerts(service: Service, platform: Platform) -> tuple[Alert, ...]:
    """Every alert opsgen derives for a service, in the table's order."""
    return tuple(BUILDERS[alert.name](service, platform) for alert in table.applying(service))


def _backlog_alert(service: Service, platform: Platform) -> Alert:
    """Lag above slo.backlog, by default what scaling cannot absorb (model.default_backlog)."""
    kafka = service.kafka
    assert kafka is not None  # the table applies it to Kafka-scaled services only
    expr = f"sum by (consumergroup, topic) ({committed_lag(kafka)}) > {service.slo.backlog}"
    summary = f"{literal(service.name)} is falling behind on {literal(kafka.topic)}."
    description = (
        f"Consumer group {literal(kafka.consumer_group)} is {{{{ $value }}}} messages behind on {literal(kafka.topic)} "
        f"(more than {service.slo.backlog} for {table.BY_NAME[conv.ALERT_BACKLOG].for_})."
    )
    return _alert(conv.ALERT_BACKLOG, service, expr, summary, description)


def _target_down_alert(service: Service, platform: Platform) -> Alert:
    up = selector("up", identity(service))
    expr = f"{up} == 0"
    if not service.scaling or service.scaling.min_replicas > 0:  # may scale to zero: no target is fine
        expr += f" or absent({up})"
    summary = f"Prometheus cannot scrape {literal(service.name)}."
    description = f"{_who(service)}: a metrics target is down or missing; its other alerts are blind."
    return _alert(conv.ALERT_TARGET_DOWN, service, expr, summary, description)


def sli_series(service: Service, platform: Platform) -> tuple[tuple[str, str], ...]:
    """(selector, what it is) of the series the SLO alerts read of the service's own
    metrics: the requests counter the success SLO reads (slo.requests) with the labels a
    failure is told by, the histogram's bucket of each latency bound and its count (latency.py)."""
    ident = identity(service)
    out = []
    if service.slo.success_rate is not None:
        counter, labels = slo.requests_metric(service, platform), slo.failure_labels(service, platform)
        out.append((selector(counter, ident, present=labels), f"{counter} with an {' and '.join(labels)} label"))
    return tuple(out) + latency.sli_series(service)


def absent_for(service: Service, platform: Platform) -> str:
    """SLOMetricAbsent's ``for``, as Pyrra computes it: how long a total outage takes to
    fire the SLO alert the absent series would hide, so it is reported no later than the
    outage; the soonest of the service's SLOs: slo.successRate's and slo.latency's time
    to page (burn.plan), slo.latencyP95's LatencyP95High ``for``; in whole minutes rounded up."""
    times = [latency.time_to_page(service, platform)]
    if service.slo.success_rate is not None:
        times.append(slo.time_to_page(service, platform))
    if service.slo.latency_p95 is not None:
        times.append(durations.seconds(table.BY_NAME[conv.ALERT_LATENCY].for_))
    return burn.duration(-(-min(t for t in times if t is not None) // 60) * 60)


def _slo_metric_absent_alert(service: Service, platform: Platform) -> Alert:
    """An SLI series is gone while a target of the service is up (renamed metric or label):
    the SLO alerts would read nothing. A target down or missing is MetricsTargetDown's."""
    series = sli_series(service, platform)
    absent = " or ".join(f"absent({s})" for s, _ in series)
    up = f"max by (namespace, service) ({selector('up', identity(service))}) == 1"
    expr = f"({absent}) and on (namespace, service) ({up})"
    summary = f"{service.name} is scraped but exports no series its SLO alerts read."
    description = (
        f"{service.namespace}/{service.name}: a metrics target is up, but there is no "
        f"{' or no '.join(what for _, what in series)} series (a renamed metric or label, or no task "
        "done since the service started): its SLO alerts see nothing."
    )
    return replace(
        _alert(conv.ALERT_SLO_METRIC_ABSENT, service, expr, summary, description), for_=absent_for(service, platform)
    )


def _at_max_alert(service: Service, platform: Platform) -> Alert:
    """Current replicas at the most the service can run. Capped by the topic's partitions,
    that is a number only the catalogue knows (KEDA's HPA still says maxReplicas), so it is
    written into the rule; else kube-state-metrics' spec max, which follows the HPA."""
    hpa = {"namespace": service.namespace, "horizontalpodautoscaler": conv.hpa_name(service)}
    current = selector("kube_horizontalpodautoscaler_status_current_replicas", hpa)
    scaling = service.scaling
    assert scaling is not None  # the table applies it to scaled services only
    if scaling.effective_max_replicas < scaling.max_replicas:
        expr = f"{current} >= {scaling.effective_max_replicas}"
        limit = f"the partitions of {literal(scaling.kafka.topic if scaling.kafka else '')} (scaling.kafka.partitions): KEDA runs no more consumers"
    else:
        maximum = selector("kube_horizontalpodautoscaler_spec_max_replicas", hpa)
        expr = f"{current} >= on (namespace, horizontalpodautoscaler) {maximum}"
        limit = "its scaling.maxReplicas: it cannot scale further"
    summary = f"{literal(service.name)} has been at its maximum replicas for {table.BY_NAME[conv.ALERT_AT_MAX].for_}."
    description = f"{_who(service)} runs {{{{ $value }}}} replicas, {limit}."
    return _alert(conv.ALERT_AT_MAX, service, expr, summary, description)


def _keda_errors_alert(service: Service, platform: Platform) -> Alert:
    """KEDA's own series carry the ScaledObject's namespace as ``namespace`` when
    scraped with honorLabels, else as ``exported_namespace``: accept either."""
    rates = [
        f"rate({selector('keda_scaler_errors', {label: service.namespace, 'scaledObject': service.name})}[{RATE_WINDOW}])"
        for label in ("exported_namespace", "namespace")
    ]
    expr = f"sum({' or '.join(rates)}) > 0"
    summary = f"KEDA cannot read the scaling metric of {literal(service.name)}."
    description = f"The scalers of ScaledObject {_who(service)} fail {{{{ $value | humanize }}}} times a second."
    return _alert(conv.ALERT_KEDA_ERRORS, service, expr, summary, description)


Builder = Callable[[Service, Platform], Alert]
BUILDERS: dict[str, Builder] = {  # one per entry of catalogue/generated_alerts.py
    conv.ALERT_BURN_FAST: lambda service, platform: slo.burn_alert(service, platform, conv.ALERT_BURN_FAST),
    conv.ALERT_BURN_SLOW: lambda service, platform: slo.burn_alert(service, platform, conv.ALERT_BURN_SLOW),
    conv.ALERT_LATENCY: latency.p95_alert,
    conv.ALERT_LATENCY_BURN_FAST: lambda service, platform: latency.burn_alert(
        service, platform, conv.ALERT_LATENCY_BURN_FAST
    ),
    conv.ALERT_LATENCY_BURN_SLOW: lambda service, platform: latency.burn_alert(
        service, platform, conv.ALERT_LATENCY_BURN_SLOW
    ),
    conv.ALERT_BACKLOG: _backlog_alert,
    conv.ALERT_TARGET_DOWN: _target_down_alert,
    conv.ALERT_SLO_METRIC_ABSENT: _slo_metric_absent_alert,
    conv.ALERT_AT_MAX: _at_max_alert,
    conv.ALERT_KEDA_ERRORS: _keda_errors_alert,
}


# --- rules -----------------------------------------------------------------


def rule(alert: Alert, env: Environment, platform: Platform, service: Service | None) -> Rule:
    """A catalogue or generated alert as written for ``env``."""
    labels = dict(alert.labels)
    labels[conv.SEVERITY_LABEL] = env.lower(alert.severity)
    if alert.team:
        labels[conv.TEAM_LABEL] = alert.team
    if service is not None:
        labels.update(identity(service))
    annotations = {"summary": alert.summary}
    if alert.description:
        annotations["description"] = alert.description
    runbook = conv.runbook_url(platform, alert.name, alert.runbook)
    if runbook:  # a URL, not a template: Prometheus must not run what it may hold
        annotations[conv.RUNBOOK_ANNOTATION] = literal(runbook)
    return Rule(alert=alert.name, expr=alert.expr, for_=alert.for_, labels=labels, annotations=annotations)


def service_groups(service: Service, env: Environment, platform: Platform) -> tuple[RuleGroup, ...]:
    """The rule groups of one service: what is recorded every evaluation (the SLO's short
    windows, the Kafka lag), what changes slowly (the long windows and the period) and
    what never changes (Sloth's constants, the catalogue facts) every burn.LONG_INTERVAL
    (Pyrra's interval for its period rules; constants stay within Prometheus' 5m
    lookback), then its alerts."""
    groups = []
    live = slo.fast_rules(service, platform) + latency.fast_rules(service, platform) + live_rules(service)
    if live:
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "sli"), live))
    slow = slo.long_rules(service, platform) + latency.long_rules(service, platform)
    if slow:
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "sli-long"), slow, burn.LONG_INTERVAL))
    constants = slo.constant_rules(service, platform) + latency.constant_rules(service, platform)
    facts = constants + catalogue_rules(service) + dashboard_rules(service)
    if facts:
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "catalogue"), facts, burn.LONG_INTERVAL))
    alerts = generated_alerts(service, platform) + service.alerts
    if alerts:
        rules = tuple(rule(a, env, platform, service) for a in alerts)
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "alerts"), rules))
    return tuple(groups)


def platform_groups(
    alerts: tuple[Alert, ...], env: Environment, platform: Platform, pipeline_topics: tuple[str, ...] = ()
) -> tuple[RuleGroup, ...]:
    """The platform PrometheusRule's groups: the pipeline's stage series (when there are
    pipeline topics), then the catalogue's top-level alerts (when it has some)."""
    groups = []
    if pipeline_topics:
        groups.append(
            RuleGroup(conv.rule_group_name(platform, None, conv.PIPELINE_GROUP), pipeline_rules(pipeline_topics))
        )
    if alerts:
        rules = tuple(rule(a, env, platform, None) for a in alerts)
        groups.append(RuleGroup(conv.rule_group_name(platform, None, "alerts"), rules))
    return tuple(groups)
