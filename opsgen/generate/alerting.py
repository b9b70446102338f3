"""Alert rules from the model: the catalogue's own alerts, and the alerts opsgen
derives from each service's ``slo``, metrics and scaling.

Which alerts a service gets, with their severity and ``for``, is one table
(catalogue/generated_alerts.py); ``BUILDERS`` holds the builder of each
entry. Every generated alert is a ``model.Alert`` like a written one, and
``rule`` turns any alert into a PrometheusRule rule with the environment's
severity cap, runbook and owner labels. Names live in conventions.py.

SLO success rate (Google SRE workbook, as Sloth and Pyrra implement it, for a
30-day SLO window): the failure ratio is recorded over 5m, 30m, 1h, 2h, 6h, 1d
and 3d; an alert needs a long *and* a short window above ``factor x budget``
(the short one makes it stop soon after the burn stops):

- ErrorBudgetBurnFast (page): 14.4x over 1h and 5m (2% of the budget in 1h),
  or 6x over 6h and 30m (5% in 6h);
- ErrorBudgetBurnSlow (warn, a ticket): 3x over 1d and 2h (10% in 1d), or 1x
  over 3d and 6h (10% in 3d).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from opsgen import conventions as conv
from opsgen import durations
from opsgen.generate.kinds import Rule, RuleGroup
from opsgen.catalogue import generated_alerts as table
from opsgen.catalogue.model import Alert, Environment, Platform, Service
from opsgen.catalogue.promql import quote
from opsgen.catalogue.templates import literal

SLO_PERIOD = "30d"  # the window the error budget is spent over; the burn factors assume it


@dataclass(frozen=True)
class Burn:
    """Alert when the failure ratio over ``long`` and over ``short`` both exceed ``factor`` x budget."""

    factor: float
    long: str
    short: str


BURNS: dict[str, tuple[Burn, ...]] = {
    conv.ALERT_BURN_FAST: (Burn(14.4, "1h", "5m"), Burn(6, "6h", "30m")),
    conv.ALERT_BURN_SLOW: (Burn(3, "1d", "2h"), Burn(1, "3d", "6h")),
}
RATE_WINDOW = "5m"  # of the latency quantile and the KEDA error rate


# --- PromQL building blocks ------------------------------------------------


def selector(metric: str, matchers: dict[str, str], present: tuple[str, ...] = ()) -> str:
    """``metric{name="value",...}``; ``present``: labels that must be set (``=~".+"``)."""
    equal = [f"{name}={quote(value)}" for name, value in matchers.items()]
    inner = ",".join(equal + [f'{name}=~".+"' for name in present])
    return f"{metric}{{{inner}}}"


def number(value: float) -> str:
    return format(value, ".6g")


def identity(service: Service) -> dict[str, str]:
    """How alerts select a service's series (the catalogue contract)."""
    return {"namespace": service.namespace, conv.SERVICE_LABEL: service.name}


def budget(service: Service) -> float:
    """The allowed failure ratio, e.g. 0.05 for successRate 95."""
    return (100 - float(service.slo.success_rate or 100)) / 100


# --- recording rules -------------------------------------------------------


def recording_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    """The SLO's series as Sloth records them (none without successRate): the failure
    ratio over every window, then its objective, budget, burn rates and info."""
    if service.slo.success_rate is None:
        return ()
    return ratio_rules(service, platform) + sloth_meta_rules(service)


def ratio_rules(service: Service, platform: Platform) -> tuple[Rule, ...]:
    """``slo:sli_error:ratio_rate<w>`` for every window and the SLO period, labelled with
    the service's identity, Sloth's SLO labels and ``sloth_window``."""
    def labels(window: str) -> dict[str, str]:
        return {**identity(service), **conv.sloth_labels(service), conv.SLOTH_WINDOW_LABEL: window}

    windows = tuple(Rule(record=conv.error_ratio_record(w), expr=error_ratio(service, platform, w), labels=labels(w)) for w in conv.SLO_WINDOWS)
    period = Rule(record=conv.error_ratio_record(conv.SLO_PERIOD_WINDOW), expr=period_error_ratio(service), labels=labels(conv.SLO_PERIOD_WINDOW))
    return windows + (period,)


def error_ratio(service: Service, platform: Platform, window: str) -> str:
    """Failed / all tasks over ``window``, 0 when the service exports its counter but:

    - has no failure series: prometheus_client creates it with the first failure, so the
      failures are then the total's rate times 0 (same labels), never nothing;
    - did no task in the window (an idle consumer): 0/0 would record NaN, which Sloth's
      period ratio (a mean of 5m ratios) would carry for 30 days.

    No counter at all (target down, metric renamed) stays empty: other alerts say so."""
    metrics = platform.metrics
    failed = {**identity(service), metrics.outcome_label: metrics.failure_outcome}
    by = "sum by (namespace, service) "
    total = f"{by}(rate({selector(metrics.requests, identity(service))}[{window}]))"
    failures = f"({by}(rate({selector(metrics.requests, failed)}[{window}])) or {total} * 0)"
    return f"({failures} / ({total} > 0)) or {total} * 0"


def _slo_selector(record: str, service: Service) -> str:
    return selector(record, {**identity(service), **conv.sloth_labels(service)})


def period_error_ratio(service: Service) -> str:
    """The SLO period's failure ratio as Sloth computes it: the mean of the 5m ratios
    recorded over the period (cheap: no 30-day rate over raw counters)."""
    short = _slo_selector(conv.error_ratio_record(conv.SLO_WINDOWS[0]), service)
    period = conv.SLO_PERIOD_WINDOW
    return f"sum_over_time({short}[{period}]) / ignoring ({conv.SLOTH_WINDOW_LABEL}) count_over_time({short}[{period}])"


def sloth_meta_rules(service: Service) -> tuple[Rule, ...]:
    """Sloth's meta series of the SLO: objective, budget, period, burn rates (error ratio /
    budget, now and over the period), budget remaining and ``sloth_slo_info``."""
    labels = {**identity(service), **conv.sloth_labels(service)}
    objective = float(service.slo.success_rate or 100) / 100
    on = f"on ({', '.join(conv.sloth_labels(service))}) group_left "
    budget_of = _slo_selector(conv.SLO_ERROR_BUDGET_RECORD, service)

    def burn(window: str) -> str:
        return f"{_slo_selector(conv.error_ratio_record(window), service)} / {on}{budget_of}"

    def record(name: str, expr: str, **extra: str) -> Rule:
        return Rule(record=name, expr=expr, labels={**labels, **extra})

    info = {conv.SLOTH_OBJECTIVE_LABEL: number(float(service.slo.success_rate or 100)), conv.SLOTH_MODE_LABEL: conv.SLOTH_MODE}
    return (
        record(conv.SLO_OBJECTIVE_RATIO_RECORD, f"vector({number(objective)})"),
        record(conv.SLO_ERROR_BUDGET_RECORD, f"vector({number(budget(service))})"),
        record(conv.SLO_TIME_PERIOD_RECORD, f"vector({conv.SLO_PERIOD_DAYS})"),
        record(conv.SLO_CURRENT_BURN_RECORD, burn(conv.SLO_WINDOWS[0])),
        record(conv.SLO_PERIOD_BURN_RECORD, burn(conv.SLO_PERIOD_WINDOW)),
        record(conv.SLO_BUDGET_REMAINING_RECORD, f"1 - {_slo_selector(conv.SLO_PERIOD_BURN_RECORD, service)}"),
        record(conv.SLO_INFO_RECORD, "vector(1)", **info),
    )


def catalogue_rules(service: Service) -> tuple[Rule, ...]:
    """What the catalogue says about a service, as series labelled with its identity
    (``vector(<constant>)`` with static labels, as Sloth records ``slo:objective:ratio``),
    so dashboards select and join by ``{namespace, service}`` instead of listing services:

    - ``opsgen:service_info`` = 1, label ``role`` (every service with metrics);
    - ``opsgen:slo_objective:ratio`` = slo.successRate / 100; ``opsgen:slo_latency_p95:seconds``;
    - ``opsgen:kafka_consumergroup_lag:sum``: kafka-exporter's lag of the consumer group on
      its topic (which carries no namespace or service), ``opsgen:kafka_lag_threshold`` and
      ``opsgen:kafka_backlog_threshold`` (slo.backlog);
    - ``opsgen:hpa_info`` = 1, label ``horizontalpodautoscaler``: the HPA that scales it
      (kube-state-metrics' series join on it)."""
    ident = identity(service)

    def record(name: str, expr: str, **extra: str) -> Rule:
        return Rule(record=name, expr=expr, labels={**ident, **extra})

    out: list[Rule] = []
    if service.metrics is not None:
        out.append(record(conv.SERVICE_INFO_RECORD, "vector(1)", **{conv.ROLE_LABEL: service.role}))
    if service.slo.success_rate is not None:
        out.append(record(conv.SLO_OBJECTIVE_RECORD, f"vector({number(float(service.slo.success_rate) / 100)})"))
    if service.slo.latency_p95 is not None:
        out.append(record(conv.SLO_LATENCY_RECORD, f"vector({number(durations.seconds(service.slo.latency_p95))})"))
    kafka = service.kafka
    if kafka is not None:
        out.append(record(conv.KAFKA_LAG_RECORD, f"sum({committed_lag(kafka)})"))
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
        Rule(record=conv.PIPELINE_STAGE_RECORD, expr="vector(1)", labels={conv.TOPIC_LABEL: topic, conv.STAGE_LABEL: stage})
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


def _who(service: Service) -> str:
    """``namespace/name`` as annotation text: catalogue text in an annotation is
    escaped (templates.literal), so Prometheus never runs it as a template."""
    return literal(f"{service.namespace}/{service.name}")


def _alert(name: str, service: Service, expr: str, summary: str, description: str) -> Alert:
    policy = table.BY_NAME[name]
    return Alert(name, expr, policy.severity, summary, policy.for_, description, None, service.team)


def _burn_alert(service: Service, name: str) -> Alert:
    limit = budget(service)
    pairs = [_burn_condition(service, burn, limit) for burn in BURNS[name]]
    expr = " or ".join(f"({pair})" for pair in pairs)
    speed = "fast" if name == conv.ALERT_BURN_FAST else "slowly but steadily"
    summary = f"{literal(service.name)} is burning its {SLO_PERIOD} error budget {speed}."
    description = (
        f"{_who(service)}: {{{{ $value | humanizePercentage }}}} of recent tasks failed; "
        f"the SLO allows {number(limit * 100)}% over {SLO_PERIOD}."
    )
    return _alert(name, service, expr, summary, description)


def _burn_condition(service: Service, burn: Burn, limit: float) -> str:
    """Both windows above the threshold; as Sloth does, each side drops ``sloth_window`` so
    that they match (the alert keeps the identity and Sloth's SLO labels)."""
    threshold = number(burn.factor * limit)
    drop = f"max without ({conv.SLOTH_WINDOW_LABEL}) "
    sides = [f"{drop}({_slo_selector(conv.error_ratio_record(w), service)} > {threshold})" for w in (burn.short, burn.long)]
    return " and ".join(sides)


def _latency_alert(service: Service, platform: Platform) -> Alert:
    bucket = selector(platform.metrics.duration + "_bucket", identity(service))
    limit = durations.seconds(service.slo.latency_p95 or "0s")
    expr = f"histogram_quantile(0.95, sum by (namespace, service, le) (rate({bucket}[{RATE_WINDOW}]))) > {number(limit)}"
    summary = f"{literal(service.name)} p95 task duration is above its SLO of {literal(service.slo.latency_p95 or '')}."
    description = f"{_who(service)}: p95 task duration is {{{{ $value | humanizeDuration }}}}."
    return _alert(conv.ALERT_LATENCY, service, expr, summary, description)


def _backlog_alert(service: Service, platform: Platform) -> Alert:
    """Lag above slo.backlog, by default what scaling cannot absorb (model.default_backlog)."""
    kafka = service.kafka  # called only for Kafka-scaled services
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
    metrics: the task counter with its outcome label (slo.successRate), the duration
    histogram's buckets (slo.latencyP95)."""
    metrics, ident = platform.metrics, identity(service)
    out = []
    if service.slo.success_rate is not None:
        counter = selector(metrics.requests, ident, present=(metrics.outcome_label,))
        out.append((counter, f"{metrics.requests} with an {metrics.outcome_label} label"))
    if service.slo.latency_p95 is not None:
        out.append((selector(metrics.duration + "_bucket", ident), f"{metrics.duration}_bucket"))
    return tuple(out)


def absent_for(service: Service) -> str:
    """SLOMetricAbsent's ``for``, as Pyrra computes it: how long a total outage takes to
    fire the SLO alert the absent series would hide, so it is reported no later than the
    outage. With slo.successRate: the first fast-burn pair's factor x budget x long window
    plus ErrorBudgetBurnFast's ``for``, in whole minutes (worker at 95%: 45m; 99.9%: 3m);
    with slo.latencyP95 only: LatencyP95High's ``for``."""
    if service.slo.success_rate is None:
        return table.BY_NAME[conv.ALERT_LATENCY].for_
    first = BURNS[conv.ALERT_BURN_FAST][0]
    outage = int(first.factor * budget(service) * durations.seconds(first.long))
    total = outage + durations.seconds(table.BY_NAME[conv.ALERT_BURN_FAST].for_)
    return f"{int(total / 60 + 0.5)}m"


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
    return replace(_alert(conv.ALERT_SLO_METRIC_ABSENT, service, expr, summary, description), for_=absent_for(service))


def _at_max_alert(service: Service, platform: Platform) -> Alert:
    """Current replicas at the most the service can run. Capped by the topic's partitions,
    that is a number only the catalogue knows (KEDA's HPA still says maxReplicas), so it is
    written into the rule; else kube-state-metrics' spec max, which follows the HPA."""
    hpa = {"namespace": service.namespace, "horizontalpodautoscaler": conv.hpa_name(service)}
    current = selector("kube_horizontalpodautoscaler_status_current_replicas", hpa)
    scaling = service.scaling  # called only for scaled services
    if scaling.effective_max_replicas < scaling.max_replicas:
        expr = f"{current} >= {scaling.effective_max_replicas}"
        limit = f"the partitions of {literal(scaling.kafka.topic)} (scaling.kafka.partitions): KEDA runs no more consumers"
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
    conv.ALERT_BURN_FAST: lambda service, platform: _burn_alert(service, conv.ALERT_BURN_FAST),
    conv.ALERT_BURN_SLOW: lambda service, platform: _burn_alert(service, conv.ALERT_BURN_SLOW),
    conv.ALERT_LATENCY: _latency_alert,
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
    """The rule groups of one service: its recorded SLIs, its catalogue facts, then its alerts."""
    groups = []
    records = recording_rules(service, platform)
    if records:
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "sli"), records))
    facts = catalogue_rules(service)
    if facts:
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "catalogue"), facts))
    shown = dashboard_rules(service)
    if shown:
        groups.append(RuleGroup(conv.rule_group_name(platform, service, "dashboard"), shown))
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
        groups.append(RuleGroup(conv.rule_group_name(platform, None, conv.PIPELINE_GROUP), pipeline_rules(pipeline_topics)))
    if alerts:
        rules = tuple(rule(a, env, platform, None) for a in alerts)
        groups.append(RuleGroup(conv.rule_group_name(platform, None, "alerts"), rules))
    return tuple(groups)
