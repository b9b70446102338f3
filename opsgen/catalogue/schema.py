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

from opsgen.durations import MAX_SECONDS, PATTERN as DURATION_PATTERN

INT32_MAX = 2**31 - 1  # replicas, thresholds: int32 in the Kubernetes objects they become
MAX_DURATION_KEYWORD = "maxDurationSeconds"  # opsgen's own keyword (validate.py); editors ignore it
SCHEMA_ID = "https://opsgen.dev/schemas/services.schema.json"

NAME = {
    "title": "name",
    "type": "string",
    "pattern": r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$",
    "description": "A DNS-1123 label: lower case letters, digits and '-', at most 63 characters.",
}
DURATION = {
    "title": "duration",
    "type": "string",
    "minLength": 2,
    "pattern": DURATION_PATTERN,
    MAX_DURATION_KEYWORD: MAX_SECONDS,
    "description": "A Prometheus duration such as 15s, 2m or 1h30m.",
}
METRIC = {
    "title": "metric name",
    "type": "string",
    "pattern": r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
    "description": "A Prometheus metric name.",
}
LABEL = {
    "title": "label name",
    "type": "string",
    "pattern": r"^(?!__)[a-zA-Z_][a-zA-Z0-9_]*$",
    "description": "A Prometheus label name (names starting with '__' are reserved).",
}
URL = {"title": "URL", "type": "string", "pattern": r"^https?://[^\s]+$", "description": "An http(s) URL."}
ALERT_NAME = {
    "title": "alert name",
    "type": "string",
    "pattern": r"^[A-Z][A-Za-z0-9]*$",
    "description": "A CamelCase alert name such as KafkaBacklogHigh.",
}
LABEL_VALUE = {
    "title": "label value",
    "type": "string",
    "maxLength": 63,
    "pattern": r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$",
    "description": "A Kubernetes label value.",
}
COUNT = {"type": "integer", "maximum": INT32_MAX}
SEVERITY = {"type": "string", "enum": ["page", "warn", "info"]}
PORT_NAME = {
    "title": "port name",
    "type": "string",
    "minLength": 1,
    "maxLength": 15,
    # IANA_SVC_NAME, what Kubernetes allows as a Service or container port name:
    # lower-case letters, digits and single '-' between them, at least one letter
    "pattern": r"^([a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    "description": "A port name (IANA_SVC_NAME): 1-15 lower-case letters, digits and '-', at least one letter.",
}
K8S_LABEL_KEY = {
    "title": "label key",
    "type": "string",
    "maxLength": 317,  # 253 (prefix) + '/' + 63 (name)
    "pattern": r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    "description": "A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name.",
}
K8S_LABEL_VALUE = {
    "title": "label value",
    "type": "string",
    "maxLength": 63,
    "pattern": r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$",
    "description": "A Kubernetes label value.",
}

# What a valid value looks like, by the ``title`` of the schema it failed.
MESSAGES = {
    "name": "a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    "duration": "a Prometheus duration such as 15s, 2m or 1h30m",
    "metric name": "a Prometheus metric name: letters, digits, '_' and ':', not starting with a digit",
    "label name": "a Prometheus label name: letters, digits and '_', not starting with a digit or '__'",
    "URL": "an http:// or https:// URL",
    "alert name": "a CamelCase name starting with an upper-case letter, such as KafkaBacklogHigh",
    "port name": "a port name as Kubernetes allows it (IANA_SVC_NAME): 1 to 15 lower-case letters, digits and '-', "
    "at least one letter, no '-' at the start, at the end or twice in a row, such as http or http-metrics",
    "label key": "a Kubernetes label key: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, "
    "'-', '_' and '.', starting and ending with a letter or digit, such as app.kubernetes.io/name",
    "label value": "a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with "
    "a letter or digit",
}


def _obj(properties: dict[str, Any], required: tuple[str, ...] = (), **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = list(required)
    schema.update(extra)
    return schema


def _doc(schema: dict[str, Any], description: str, default: Any = None) -> dict[str, Any]:
    out = dict(schema, description=description)
    if default is not None:
        out["default"] = default
    return out


RECEIVER = _obj(
    {
        "pagerduty": _obj(
            {
                "secret": _doc(NAME, "Secret in the Prometheus namespace holding the PagerDuty routing key."),
                "key": {"type": "string", "minLength": 1, "description": "Key of the Secret that holds the routing key."},
            },
            ("secret", "key"),
        ),
        "slack": _obj(
            {
                "secret": _doc(NAME, "Secret in the Prometheus namespace holding the Slack webhook URL."),
                "key": {"type": "string", "minLength": 1, "description": "Key of the Secret that holds the webhook URL."},
                "channel": {"type": "string", "minLength": 1, "description": "Slack channel, e.g. #platform-alerts."},
            },
            ("secret", "key", "channel"),
        ),
    },
    minProperties=1,
    maxProperties=1,
    title="receiver",
    description="Exactly one of pagerduty or slack.",
)

ALERT = _obj(
    {
        "name": _doc(ALERT_NAME, "Unique among the catalogue's alerts."),
        "expr": {"type": "string", "minLength": 1, "description": "PromQL; every metric it names must be known."},
        "for": _doc(DURATION, "How long the condition must hold before the alert fires.", "0s"),
        "severity": _doc(SEVERITY, "page, warn or info; lowered to the environment's maxSeverity."),
        "summary": {"type": "string", "minLength": 1, "description": "One line for humans."},
        "description": {"type": "string", "description": "May use Prometheus templates ({{ $labels.x }}, {{ $value }})."},
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

SCALING = _obj(
    {
        "minReplicas": _doc({**COUNT, "minimum": 0}, "0 only with kafka.", 1),
        # ">= 1" is a rule in validate.py, not a schema minimum, so that max < min is
        # reported as the contract words it: maxReplicas (0) must be >= minReplicas (1)
        "maxReplicas": _doc({**COUNT, "minimum": 0}, "At least 1, and at least minReplicas."),
        "kafka": _obj(
            {
                "topic": {"type": "string", "minLength": 1, "description": "Topic the service consumes."},
                "consumerGroup": {"type": "string", "minLength": 1, "description": "Consumer group; default the service name."},
                "lagThreshold": _doc({**COUNT, "minimum": 1}, "Target lag per replica."),
                "activationLagThreshold": _doc({**COUNT, "minimum": 0}, "Lag that activates scaling from zero."),
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

PERCENT = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}
SLO = _obj(
    {
        "successRate": _doc(PERCENT, "Percent of tasks that must succeed; alerts when the failure ratio exceeds 100 - successRate."),
        "latencyP95": _doc(DURATION, "Alert (LatencyP95High) when under 95% of requests finished within it, read exactly "
                           "from the histogram's bucket with this bound (le), which must exist."),
        "latency": _obj({
            "threshold": _doc(DURATION, "A request is good when it finished within this; a bucket bound (le) of the histogram."),
            "objective": _doc(PERCENT, "Percent of requests that must be good over the SLO period: budget, fast-burn page, "
                              "slow-burn ticket; too low to page within 10 minutes of a total breach is refused."),
            "metric": _doc(METRIC, "Histogram base name (_bucket, _count); default platform.metrics.duration; latencyP95 reads it too."),
        }, ("threshold", "objective"), description="A latency SLO: the share of requests that finished within threshold."),
        "backlog": _doc({**COUNT, "minimum": 1}, "Consumer-group lag alert threshold; default 5 x lagThreshold."),
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
    "alerts": _doc({"type": "array", "items": {"$ref": "#/definitions/alert"}}, "Extra alerts owned by this service.", []),
}
OVERRIDABLE = tuple(k for k in SERVICE_PROPERTIES if k not in ("name", "namespace"))


def _partial(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with ``required`` dropped from nested objects (not inside lists)."""
    out = {k: v for k, v in schema.items() if k != "required"}
    if "properties" in out:
        out["properties"] = {
            k: _partial(v) if v.get("type") == "object" else v for k, v in out["properties"].items()
        }
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
                "release": _doc({**LABEL_VALUE, "minLength": 1}, "Value of the release label kube-prometheus-stack selects.", "prometheus"),
                "namespace": _doc(NAME, "Namespace of platform-wide objects.", "monitoring"),
            }
        ),
        "grafana": _obj({"folder": _doc({"type": "string", "minLength": 1}, "Dashboard folder; default the platform name.")}),
        "kafka": _obj(
            {
                "bootstrapServers": {"type": "string", "minLength": 1, "description": "e.g. kafka-headless.kafka:9092"},
                "auth": _obj(
                    {
                        "secret": _doc(NAME, "Secret with keys sasl, username, password (and tls, ca) in every namespace with Kafka-scaled services."),
                        "tls": _doc({"type": "boolean"}, "Also map tls and ca from the Secret.", False),
                    },
                    ("secret",),
                ),
            }
        ),
        "runbookBaseUrl": _doc(URL, "Alerts get runbook_url = this base + '/' + the lower-case alert name."),
        "alerting": _obj({"page": {"$ref": "#/definitions/receiver"}, "warn": {"$ref": "#/definitions/receiver"}}),
        "metrics": _obj(
            {
                "requests": _doc(METRIC, "Counter every service exposes, with an outcome label.", "agent_tasks_total"),
                "outcomeLabel": _doc(LABEL, "Outcome label of the requests counter.", "outcome"),
                "failureOutcome": _doc({"type": "string", "minLength": 1}, "Outcome value of a failed task.", "failure"),
                "duration": _doc(METRIC, "Histogram base name of task durations.", "agent_task_duration_seconds"),
                "buildDuration": _doc(METRIC, "Histogram of CI build durations.", "ci_build_duration_seconds"),
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
                    "items": {"type": "string", "minLength": 1},
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
            "alerts": {"type": "array", "items": {"$ref": "#/definitions/alert"}, "description": "More platform-wide alerts."},
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
    return {"$schema": CATALOGUE["$schema"], **copy.deepcopy(SERVICE), "definitions": copy.deepcopy(CATALOGUE["definitions"])}


def schema_json() -> str:
    """The schema as committed in services.schema.json (sorted, stable)."""
    return json.dumps(CATALOGUE, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
