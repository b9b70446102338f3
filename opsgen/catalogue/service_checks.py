"""The rules of one (merged) service that a JSON Schema cannot say: replicas against
each other, the scaling a service needs, durations that must be positive, a scrape
timeout within its interval, and the SLO's own (slo_checks.py). Read on the raw,
merged service, so each problem is located at the field it is about."""

from __future__ import annotations

from opsgen import durations
from opsgen.catalogue import kafka_checks, slo_checks
from opsgen.catalogue.defaults import default
from opsgen.catalogue.paths import mapping


def service_rules(service: dict, platform: dict) -> list[tuple[tuple, str]]:
    """(service-relative path, message) for every rule a merged service breaks.

    Rules read values through typed getters and stay quiet about a value of the
    wrong type (the schema already reports it), so they run beside structural
    problems and every problem shows in one run."""
    out: list[tuple[tuple, str]] = []
    scaling, metrics, slo = mapping(service, "scaling"), mapping(service, "metrics"), mapping(service, "slo")
    if scaling is not None:
        out += _scaling_rules(scaling, platform)
    if metrics is not None:
        out += _metrics_rules(metrics)
    if slo is not None and "backlog" in slo and (scaling is None or scaling.get("kafka") is None):
        out.append(
            (
                ("slo", "backlog"),
                "slo.backlog needs Kafka scaling (scaling.kafka): there is no consumer-group lag to watch",
            )
        )
    out += _positive_duration_rules(service)
    out += slo_checks.service_rules(service, platform)
    return out


# Durations that must be more than zero, and why (a zero makes an alert fire forever or is
# refused by the target). scaling.pollingInterval has its own rule; scaling.cooldownPeriod
# and alerts[].for may be 0s (scale down at once; fire at once).
POSITIVE_DURATIONS = {
    ("metrics", "interval"): "Prometheus cannot scrape every 0s",
    ("metrics", "scrapeTimeout"): "every scrape would time out",
    ("slo", "latencyP95"): "every request would be too slow and LatencyP95High would always fire",
}


def _positive_duration_rules(service: dict) -> list[tuple[tuple, str]]:
    out = []
    for (section, key), why in POSITIVE_DURATIONS.items():
        value = _duration(mapping(service, section) or {}, key)
        if value is not None and durations.seconds(value) == 0:
            out.append(((section, key), f"{section}.{key} ({value}) must be more than zero: {why}"))
    return out


def _scaling_rules(scaling: dict, platform: dict) -> list[tuple[tuple, str]]:
    out: list[tuple[tuple, str]] = []
    kafka, cpu = scaling.get("kafka"), scaling.get("cpu")
    if kafka is None and cpu is None:
        out.append(
            (("scaling",), "scaling needs 'kafka' or 'cpu' (or remove 'scaling' for a fixed number of replicas)")
        )
    out += _replica_rules(scaling, kafka is not None)
    if kafka is not None and kafka_checks.bootstrap_servers(platform) is False:
        out.append(
            (
                ("scaling", "kafka"),
                "scaling.kafka needs platform.kafka.bootstrapServers (where KEDA reads consumer lag)",
            )
        )
    polling = _duration(scaling, "pollingInterval")
    if polling is not None and durations.seconds(polling) == 0:
        out.append((("scaling", "pollingInterval"), f"scaling.pollingInterval ({polling}) must be at least 1s"))
    return out


def _replica_rules(scaling: dict, has_kafka: bool) -> list[tuple[tuple, str]]:
    low, high = _int(scaling, "minReplicas", 1), _int(scaling, "maxReplicas")
    out: list[tuple[tuple, str]] = []
    if low is not None and high is not None and high < low:
        out.append((("scaling", "maxReplicas"), f"scaling.maxReplicas ({high}) must be >= scaling.minReplicas ({low})"))
    elif high is not None and high < 1:
        out.append((("scaling", "maxReplicas"), f"scaling.maxReplicas ({high}) must be >= 1"))
    if low == 0 and not has_kafka:
        out.append(
            (
                ("scaling", "minReplicas"),
                "scaling.minReplicas 0 needs 'kafka': an HPA cannot go below 1 and KEDA cannot scale to zero on cpu alone",
            )
        )
    return out


def _metrics_rules(metrics: dict) -> list[tuple[tuple, str]]:
    timeout, interval = (
        _duration(metrics, "scrapeTimeout"),
        _duration(metrics, "interval", default("services", "metrics", "interval")),
    )
    if timeout and interval and durations.seconds(timeout) > durations.seconds(interval):
        return [
            (
                ("metrics", "scrapeTimeout"),
                f"metrics.scrapeTimeout ({timeout}) must not exceed metrics.interval ({interval})",
            )
        ]
    return []


def _int(item: dict, key: str, default: int | None = None) -> int | None:
    value = item.get(key, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _duration(item: dict, key: str, default: str | None = None) -> str | None:
    value = item.get(key, default)
    return value if durations.is_duration(value) else None
