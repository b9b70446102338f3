"""Value schemas the catalogue's JSON Schema is made of (schema.py), and what a valid
value of each looks like (MESSAGES, by ``title``), as data.
"""
from __future__ import annotations

from typing import Any

from opsgen.durations import MAX_SECONDS, PATTERN as DURATION_PATTERN

INT32_MAX = 2**31 - 1  # replicas, thresholds: int32 in the Kubernetes objects they become
MAX_DURATION_KEYWORD = "maxDurationSeconds"  # opsgen's own keyword (validate.py); editors ignore it
SCHEMA_ID = "https://opsgen.dev/schemas/services.schema.json"
PERIOD_DEFAULT = "30d"  # platform.slo.period
MIN_FAILURES_DEFAULT = 1  # slo.minFailures: Sloth and Pyrra page on any failure (docs/alerts.md)

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
    "label value": "a Kubernetes label value: at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
    "URL": "an http:// or https:// URL",
    "alert name": "a CamelCase name starting with an upper-case letter, such as KafkaBacklogHigh",
    "port name": "a port name as Kubernetes allows it (IANA_SVC_NAME): 1 to 15 lower-case letters, digits and '-', "
    "at least one letter, no '-' at the start, at the end or twice in a row, such as http or http-metrics",
    "label key": "a Kubernetes label key: an optional DNS-subdomain prefix and '/', then at most 63 letters, digits, "
    "'-', '_' and '.', starting and ending with a letter or digit, such as app.kubernetes.io/name",
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
