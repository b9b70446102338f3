"""The catalogue's JSON Schema, as data (the contract: ../shared/catalogue-spec.md).

It is the single source for structure: ``opsgen schema`` prints it, the
committed ``services.schema.json`` is it, editors autocomplete from it, and
``validate`` checks every catalogue against it. Each ``title`` names a kind
of value so that errors can say what a valid one looks like (see MESSAGES).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from opsgen.catalogue.schema_parts import ARGOCD, ARGOCD_ENVIRONMENT, RECEIVER, TEAM_ALERTING  # noqa: F401 (re-exported)
from opsgen.catalogue.value_types import (  # noqa: F401 (re-exported: schema.MESSAGES, schema.INT32_MAX ...)
    ALERT_NAME,
    CONSUMER_GROUP,
    COUNT,
    DURATION,
    GRAFANA_FOLDER,
    INT32_MAX,
    K8S_LABEL_KEY,
    K8S_LABEL_VALUE,
    KAFKA_TOPIC,
    LABEL,
    LABEL_VALUE,
    MAX_DURATION_KEYWORD,
    MESSAGES,
    METRIC,
    MIN_FAILURES_DEFAULT,
    NAME,
    PERCENT,
    PERIOD_DEFAULT,
    PORT_NAME,
    SCHEMA_ID,
    SECRET_KEY,
    SEVERITY,
    URL,
    _doc,
    _obj,
)

ALERT = _obj(
    {
        "name": _doc(ALERT_NAME, "Unique among the catalogue's alerts."),
        "expr": {"type": "string", "minLength": 1, "description": "PromQL; every metric it names must be known."},
        "for": _doc(DURATION, "How long the condition must hold before the alert fires.", "0s"),
        "severity": _doc(SEVERITY, "page, warn or info; lowered to the environment's maxSeverity."),
        "summary": {"type": "string", "minLength": 1, "description": "One line for humans."},
        "description": {
            "type": "string",
            "description": "May use Prometheus templates ({{ $labels.x }}, {{ $value }}).",
        },
        "runbook": _doc(URL, "Runbook URL; default platform.runbookBaseUrl + '/' + the lower-case alert name."),
        "team": _doc(NAME, "Label team; default the service's team (none for platform alerts)."),
        "labels": {
            "type": "object",
            "propertyNames": LABEL,
            "additionalProperties": {"type": "string"},
            "description": "Extra labels.",
        },
    },
    ("name", "expr", "severity", "summary"),
)

METRICS = _obj(
    {
        "port": _doc(PORT_NAME, "Service port name (ServiceMonitor) or container port name (PodMonitor)."),
        "path": _doc({"type": "string", "pattern": r"^/[^\s]*$"}, "HTTP path of the metrics endpoint.", "/metrics"),
        "interval": _doc(DURATION, "Scrape interval.", "30s"),
        "scrapeTimeout": _doc(DURATION, "Scrape timeout; must not exceed interval."),
        "monitor": _doc({"type": "string", "enum": ["service", "pod"]}, "ServiceMonitor or PodMonitor.", "service"),
        "selector": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": K8S_LABEL_KEY,
            "additionalProperties": K8S_LABEL_VALUE,
            "description": "Labels of the Service (monitor: service) or Pods (monitor: pod) to scrape; "
            "replaces the default selector app.kubernetes.io/name: <service name>.",
        },
        "exports": _doc(
            {"type": "array", "items": METRIC, "uniqueItems": True},
            "Metrics beyond the platform conventions that this service exposes.",
            [],
        ),
        "exposition": {
            "type": "string",
            "minLength": 1,
            "description": "Path (relative to the catalogue) of a Prometheus text-format file the service's tests export; "
            "its metric and label names become known to alert and dashboard checks.",
        },
    },
    ("port",),
)

# slo.backlog's default as text (model.default_backlog computes it, the Kafka Lag dashboard says it): the
# lag at which KEDA, running ceil(lag / lagThreshold) replicas, would need more than it can run.
BACKLOG_DEFAULT = "min(maxReplicas, kafka.partitions) × lagThreshold, the lag scaling cannot absorb"

SCALING = _obj(
    {
        "minReplicas": _doc({**COUNT, "minimum": 0}, "0 only with kafka.", 1),
        # ">= 1" is a rule in validate.py, not a schema minimum, so that max < min is
        # reported as the contract words it: maxReplicas (0) must be >= minReplicas (1)
        "maxReplicas": _doc({**COUNT, "minimum": 0}, "At least 1, and at least minReplicas."),
        "kafka": _obj(
            {
                "topic": _doc(KAFKA_TOPIC, "Topic the service consumes."),
                "consumerGroup": _doc(CONSUMER_GROUP, "Consumer group; default the service name."),
                "lagThreshold": _doc({**COUNT, "minimum": 1}, "Target lag per replica."),
                "activationLagThreshold": _doc({**COUNT, "minimum": 0}, "Lag that activates scaling from zero."),
                "partitions": _doc(
                    {**COUNT, "minimum": 1},
                    "The topic's partition count: KEDA runs no more consumers than partitions "
                    "(opsgen never allows idle ones): ReplicasAtMax uses min(maxReplicas, partitions), a larger maxReplicas is a warning.",
                ),
            },
            ("topic", "lagThreshold"),
        ),
        "cpu": _obj(
            {"targetUtilization": _doc({"type": "integer", "minimum": 1, "maximum": 100}, "Percent of requested CPU.")},
            ("targetUtilization",),
        ),
        "pollingInterval": _doc(DURATION, "KEDA polling interval.", "30s"),
        "cooldownPeriod": _doc(DURATION, "KEDA cooldown period.", "5m"),
    },
    ("maxReplicas",),
)

SLO = _obj(
    {
        "successRate": _doc(
            PERCENT, "Percent of tasks that must succeed; alerts when the failure ratio exceeds 100 - successRate."
        ),
        "latencyP95": _doc(
            DURATION,
            "Alert (LatencyP95High) when under 95% of requests finished within it, read exactly "
            "from the histogram's bucket with this bound (le), which must exist.",
        ),
        "latency": _obj(
            {
                "threshold": _doc(
                    DURATION, "A request is good when it finished within this; a bucket bound (le) of the histogram."
                ),
                "objective": _doc(
                    PERCENT,
                    "Percent of requests that must be good over the SLO period: budget, fast-burn page, "
                    "slow-burn ticket; too low to page within 10 minutes of a total breach is refused.",
                ),
                "metric": _doc(
                    METRIC,
                    "Histogram base name (_bucket, _count); default platform.metrics.duration; latencyP95 reads it too.",
                ),
            },
            ("threshold", "objective"),
            description="A latency SLO: the share of requests that finished within threshold.",
        ),
        "backlog": _doc({**COUNT, "minimum": 1}, f"Consumer-group lag alert threshold; default {BACKLOG_DEFAULT}."),
        "requests": _obj(
            {
                "metric": _doc(METRIC, "Counter of this service's requests; default platform.metrics.requests."),
                "failures": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": LABEL,
                    "additionalProperties": {"type": "string", "minLength": 1},
                    "description": "A request failed when every listed label matches its regex (PromQL =~, fully anchored), "
                    "e.g. {code: '5..'}; default {<platform.metrics.outcomeLabel>: <platform.metrics.failureOutcome>}.",
                },
            },
            description="The counter successRate is measured on, and which of its requests failed.",
        ),
        "minFailures": _doc(
            {**COUNT, "minimum": 1},
            "A burn-rate page also needs at least this many failed requests in its long window "
            "(1: any failure may page, as Sloth and Pyrra do; docs/alerts.md).",
            MIN_FAILURES_DEFAULT,
        ),
    }
)

SERVICE_PROPERTIES: dict[str, Any] = {
    "name": _doc(NAME, "The service; also the name of its Deployment and Service."),
    "namespace": _doc(NAME, "Namespace of the service."),
    "team": _doc(NAME, "Owner; label team on every object and alert of the service."),
    "role": _doc({"type": "string", "enum": ["agent", "runner", "service"]}, "Dashboards group by it.", "service"),
    "description": {"type": "string", "description": "Shown in dashboards and docs."},
    "metrics": METRICS,
    "scaling": SCALING,
    "slo": SLO,
    "alerts": _doc(
        {"type": "array", "items": {"$ref": "#/definitions/alert"}}, "Extra alerts owned by this service.", []
    ),
}
OVERRIDABLE = tuple(k for k in SERVICE_PROPERTIES if k not in ("name", "namespace"))


def _partial(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with ``required`` dropped from nested objects (not inside lists)."""
    out = {k: v for k, v in schema.items() if k != "required"}
    if "properties" in out:
        out["properties"] = {k: _partial(v) if v.get("type") == "object" else v for k, v in out["properties"].items()}
    return out


OVERRIDE = _partial(_obj({k: SERVICE_PROPERTIES[k] for k in OVERRIDABLE}))
OVERRIDE["description"] = "Deep-merged over the service in this environment (lists replace, mappings merge)."

SERVICE = _obj(
    dict(
        SERVICE_PROPERTIES,
        environments={
            "type": "object",
            "propertyNames": NAME,
            "additionalProperties": {"$ref": "#/definitions/override"},
            "description": "Per-environment overrides of this service.",
        },
    ),
    ("name", "namespace", "team"),
)

PLATFORM = _obj(
    {
        "name": _doc(NAME, "The platform; label app.kubernetes.io/part-of and rule-group names."),
        "prometheus": _obj(
            {
                "release": _doc(
                    {**LABEL_VALUE, "minLength": 1},
                    "Value of the release label kube-prometheus-stack selects.",
                    "prometheus",
                ),
                "namespace": _doc(NAME, "Namespace of platform-wide objects.", "monitoring"),
            }
        ),
        "grafana": _obj({"folder": _doc(GRAFANA_FOLDER, "Dashboard folder; default the platform name.")}),
        "kafka": _obj(
            {
                "bootstrapServers": {"type": "string", "minLength": 1, "description": "e.g. kafka-headless.kafka:9092"},
                "auth": _obj(
                    {
                        "secret": _doc(
                            NAME,
                            "Secret with keys sasl, username, password (and tls, ca) in every namespace with Kafka-scaled services.",
                        ),
                        "tls": _doc({"type": "boolean"}, "Also map tls and ca from the Secret.", False),
                    },
                    ("secret",),
                ),
            }
        ),
        "runbookBaseUrl": _doc(URL, "Alerts get runbook_url = this base + '/' + the lower-case alert name."),
        "alerting": _obj(
            {
                "page": {"$ref": "#/definitions/receiver"},
                "warn": {"$ref": "#/definitions/receiver"},
                "teams": TEAM_ALERTING,
            }
        ),
        "metrics": _obj(
            {
                "requests": _doc(METRIC, "Counter every service exposes, with an outcome label.", "agent_tasks_total"),
                "outcomeLabel": _doc(LABEL, "Outcome label of the requests counter.", "outcome"),
                "failureOutcome": _doc(
                    {"type": "string", "minLength": 1}, "Outcome value of a failed task.", "failure"
                ),
                "duration": _doc(METRIC, "Histogram base name of task durations.", "agent_task_duration_seconds"),
                "buildDuration": _doc(METRIC, "Histogram of CI build durations.", "ci_build_duration_seconds"),
            }
        ),
        "argocd": ARGOCD,
        "slo": _obj(
            {
                "period": _doc(
                    DURATION,
                    "The SLO period, in whole days from 1d to 90d: error budgets are spent over it and the burn-rate "
                    "windows derive from it (docs/alerts.md).",
                    PERIOD_DEFAULT,
                ),
            }
        ),
    },
    ("name",),
)

ENVIRONMENT = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "properties": {
        "maxSeverity": _doc(SEVERITY, "Alerts above this severity are lowered to it.", "page"),
        "argocd": ARGOCD_ENVIRONMENT,
    },
}

CATALOGUE: dict[str, Any] = _obj(
    {
        "platform": PLATFORM,
        "environments": {
            "type": "object",
            "propertyNames": NAME,
            "additionalProperties": ENVIRONMENT,
            "description": "Environments (clusters); output for each goes to dist/<env>/.",
        },
        "services": {"type": "array", "minItems": 1, "items": SERVICE},
        "include": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1},
            "description": "Glob patterns, relative to this file's folder, of files that hold more services and alerts "
            "(e.g. teams/*.yaml, one file per team for CODEOWNERS). Matches are read in sorted order and appended "
            "after this file's own; each must match a file inside the folder.",
        },
        "alerts": {"type": "array", "items": {"$ref": "#/definitions/alert"}, "description": "Platform-wide alerts."},
        "pipeline": _obj(
            {
                "topics": {
                    "type": "array",
                    "minItems": 1,
                    "uniqueItems": True,
                    "items": KAFKA_TOPIC,
                    "description": "Kafka topics in pipeline order (Pipeline Funnel dashboard).",
                }
            }
        ),
    },
    ("platform",),
    title="opsgen catalogue",
    description="services.yaml: the service catalogue opsgen compiles into dist/.",
)
# services is required unless the catalogue includes files that hold them (include.py
# checks that the whole catalogue has at least one)
CATALOGUE.update({"if": {"not": {"required": ["include"]}}, "then": {"required": ["services"]}})
CATALOGUE = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "$id": SCHEMA_ID,
    **CATALOGUE,
    "definitions": {"alert": ALERT, "receiver": RECEIVER, "override": OVERRIDE},
}


INCLUDED_SCHEMA_ID = "https://opsgen.dev/schemas/services.include.schema.json"
# A file the catalogue includes: services and alerts only (include.py reads this list).
INCLUDED: dict[str, Any] = {
    "$schema": CATALOGUE["$schema"],
    "$id": INCLUDED_SCHEMA_ID,
    **_obj(
        {
            "services": {"type": "array", "items": SERVICE, "description": "More services, as in services.yaml."},
            "alerts": {
                "type": "array",
                "items": {"$ref": "#/definitions/alert"},
                "description": "More platform-wide alerts.",
            },
        },
        title="opsgen catalogue: an included file",
        description="A file services.yaml includes (include: [teams/*.yaml]): services and alerts only.",
    ),
    "definitions": CATALOGUE["definitions"],
}


def included_schema_json() -> str:
    """The schema of an included file, as committed in services.include.schema.json."""
    return json.dumps(INCLUDED, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def catalogue_schema() -> dict[str, Any]:
    """A copy of the catalogue schema, safe to modify."""
    return copy.deepcopy(CATALOGUE)


def service_schema() -> dict[str, Any]:
    """The schema of one (merged) service, for validating per-environment results."""
    return {
        "$schema": CATALOGUE["$schema"],
        **copy.deepcopy(SERVICE),
        "definitions": copy.deepcopy(CATALOGUE["definitions"]),
    }


def schema_json() -> str:
    """The schema as committed in services.schema.json (sorted, stable)."""
    return json.dumps(CATALOGUE, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
