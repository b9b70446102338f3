"""The kinds of value the catalogue holds (names, durations, label keys, Kafka topics ...),
each a JSON Schema fragment with a ``title`` that MESSAGES explains. schema.py builds the
catalogue's schema from them; every value opsgen passes on to another tool is held to what
that tool accepts here, once.
"""

from __future__ import annotations

from typing import Any

from opsgen.durations import MAX_SECONDS
from opsgen.durations import PATTERN as DURATION_PATTERN

INT32_MAX = 2**31 - 1  # replicas, thresholds: int32 in the Kubernetes objects they become
PERIOD_DEFAULT = "30d"  # platform.slo.period
MIN_FAILURES_DEFAULT = 1  # slo.minFailures: Sloth and Pyrra page on any failure (docs/alerts.md)
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
PERCENT = {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}  # successRate, latency.objective
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
    # the prefix is a DNS-1123 subdomain (dot-separated labels, at most 253 characters in all),
    # as Kubernetes' IsQualifiedName checks it: 'a..b/x' and a 254-character prefix are refused
    "pattern": r"^((?=[^/]{1,253}/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$",
    "description": "A Kubernetes label key: an optional DNS-subdomain prefix and '/', then a name.",
}
K8S_LABEL_VALUE = {
    "title": "label value",
    "type": "string",
    "maxLength": 63,
    "pattern": r"^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$",
    "description": "A Kubernetes label value.",
}

# Control characters (C0, DEL, C1): never part of a value another tool reads as text.
_NO_CONTROL = "\\u0000-\\u001f\\u007f-\\u009f"
KAFKA_TOPIC = {
    "title": "Kafka topic",
    "type": "string",
    "maxLength": 249,
    # Kafka's own rule (Topic.validate): 1-249 of [a-zA-Z0-9._-], not '.' or '..'. It also keeps
    # topics, which opsgen writes into alert labels, free of template text ('{{').
    "pattern": r"^(?!\.\.?$)[a-zA-Z0-9._-]+$",
    "description": "A Kafka topic: 1-249 letters, digits, '.', '_' and '-', not '.' or '..'.",
}
CONSUMER_GROUP = {
    "title": "consumer group",
    "type": "string",
    "minLength": 1,
    "pattern": "^[^" + _NO_CONTROL + "]+$",
    "description": "A Kafka consumer group id (no control characters).",
}
SECRET_KEY = {
    "title": "Secret key",
    "type": "string",
    "maxLength": 253,
    # Kubernetes' IsConfigMapKey, what a Secret's data may be keyed by
    "pattern": r"^(?!\.\.)(?!\.$)[-._a-zA-Z0-9]+$",
    "description": "A key of a Kubernetes Secret: 1-253 letters, digits, '-', '_' and '.', not '.' and not starting with '..'.",
}
GRAFANA_FOLDER = {
    "title": "Grafana folder",
    "type": "string",
    "maxLength": 255,
    # the sidecar makes the annotation a folder under its dashboards path
    # (foldersFromFilesStructure): one path component, never '.', '..' or one holding '/'
    "pattern": r"^(?!\.\.?$)[^/\\" + _NO_CONTROL + "]+$",
    "description": "A Grafana folder name: one folder (no '/' or '\\'), not '.' or '..', no control characters.",
}

# What a valid value looks like, by the ``title`` of the schema it failed.
MESSAGES = {
    "name": "a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters",
    "duration": "a Prometheus duration such as 15s, 2m or 1h30m",
    "metric name": "a Prometheus metric name: letters, digits, '_' and ':', not starting with a digit",
    "label name": "a Prometheus label name: letters, digits and '_', not starting with a digit or '__'",
    "label value": "a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    "URL": "an http:// or https:// URL",
    "alert name": "a CamelCase name starting with an upper-case letter, such as KafkaBacklogHigh",
    "port name": "a port name as Kubernetes allows it (IANA_SVC_NAME): 1 to 15 lower-case letters, digits and '-', "
    "at least one letter, no '-' at the start, at the end or twice in a row, such as http or http-metrics",
    "label key": "a Kubernetes label key: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, "
    "'-', '_' and '.', starting and ending with a letter or digit, such as app.kubernetes.io/name",
    "Kafka topic": "a Kafka topic: 1 to 249 letters, digits, '.', '_' and '-', not '.' or '..'",
    "consumer group": "a Kafka consumer group id without control characters",
    "Secret key": "a Kubernetes Secret key: 1 to 253 letters, digits, '-', '_' and '.', not '.' and not starting with '..'",
    "Grafana folder": "one Grafana folder name: at most 255 characters, no '/', '\\' or control characters, not '.' or '..'",
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
