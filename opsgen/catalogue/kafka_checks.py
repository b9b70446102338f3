"""Kafka values opsgen passes on to KEDA and kafka-exporter: the brokers."""
from __future__ import annotations

from opsgen.catalogue.load import Document
from opsgen.catalogue.paths import mapping, text
from opsgen.errors import Problem


def bootstrap_servers(platform: dict) -> "bool | None":
    """Whether platform.kafka.bootstrapServers is set; None when platform.kafka
    is malformed (the schema reports that, and this rule stays quiet)."""
    kafka = platform.get("kafka")
    if kafka is None:
        return False
    if not isinstance(kafka, dict):
        return None
    servers = kafka.get("bootstrapServers")
    return None if servers is not None and not isinstance(servers, str) else bool(servers)


def kafka_server_problems(doc: Document) -> list[Problem]:
    """Every broker of platform.kafka.bootstrapServers must name its namespace: a host
    without a dot resolves in the namespace of whoever connects (KEDA in ``keda``,
    kafka-exporter in ``monitoring``), so at most one of them reaches it."""
    kafka = mapping(doc.data["platform"], "kafka") or {}
    servers = text(kafka, "bootstrapServers")
    if not servers:
        return []
    where = doc.locate(("platform", "kafka", "bootstrapServers"), value=True)
    return [Problem(where, message) for message in map(_kafka_server_problem, servers.split(",")) if message]


def _kafka_server_problem(server: str) -> "str | None":
    if server != server.strip() or not server:  # KEDA splits on ',' and trims nothing
        return f"platform.kafka.bootstrapServers: {server!r}: write the brokers separated by ',' alone, without spaces or empty entries"
    host, colon, port = server.rpartition(":")
    if not colon or not host or not port.isdigit():
        return f"platform.kafka.bootstrapServers: {server!r} must be host:port, such as kafka.kafka.svc:9092"
    if "." not in host and not host.startswith("["):
        return (
            f"platform.kafka.bootstrapServers: {server!r} has no namespace, so it resolves in the namespace of whoever "
            f"connects (KEDA runs in 'keda', kafka-exporter in 'monitoring'); write <service>.<namespace>.svc:{port}, "
            f"such as {host}.kafka.svc:{port}"
        )
    return None
