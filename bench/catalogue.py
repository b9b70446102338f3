"""Synthetic catalogues for the benchmark: N services, mixed Kafka and CPU scaling,
metrics, SLOs, alerts, in one environment or three."""

from __future__ import annotations

from typing import Any

import yaml

ROLES = ("agent", "runner", "service")


def service(i: int) -> dict[str, Any]:
    """Every third service scales on CPU, the rest on Kafka (some with cpu too)."""
    name = f"svc-{i:04d}"
    out: dict[str, Any] = {
        "name": name,
        "namespace": f"ns-{i % 25:02d}",
        "team": f"team-{i % 10}",
        "role": ROLES[i % 3],
        "description": f"Synthetic service {i}.",
        "metrics": {
            "port": "http",
            "interval": "15s" if i % 2 else "30s",
            "monitor": "pod" if i % 7 == 0 else "service",
        },
        "slo": {"successRate": 99, "latencyP95": "2500ms"},  # a default bucket: read exactly
    }
    if i % 3 == 0:
        out["scaling"] = {"minReplicas": 2, "maxReplicas": 6, "cpu": {"targetUtilization": 70}}
    else:
        kafka = {"topic": f"topic.{i % 40}", "lagThreshold": 100 + i % 50}
        out["scaling"] = {
            "minReplicas": 1,
            "maxReplicas": 10,
            "kafka": kafka,
            "pollingInterval": "30s",
            "cooldownPeriod": "2m",
        }
        if i % 5 == 0:
            out["scaling"]["cpu"] = {"targetUtilization": 80}
    return out


def catalogue(count: int, environments: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "platform": {
            "name": "bench-platform",
            "kafka": {"bootstrapServers": "kafka-headless.kafka:9092", "auth": {"secret": "kafka-client-credentials"}},
            "runbookBaseUrl": "https://runbooks.example.com/bench",
            "alerting": {
                "page": {"pagerduty": {"secret": "alertmanager-pagerduty", "key": "routing-key"}},
                "warn": {"slack": {"secret": "alertmanager-slack", "key": "webhook-url", "channel": "#bench"}},
            },
        },
        "services": [service(i) for i in range(count)],
    }
    if environments == 3:
        data["environments"] = {"dev": {"maxSeverity": "warn"}, "staging": {"maxSeverity": "warn"}, "prod": {}}
    return data


def write(path: str, count: int, environments: int) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(catalogue(count, environments), handle, sort_keys=False)
