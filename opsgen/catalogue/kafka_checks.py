"""Kafka values opsgen passes on to KEDA and kafka-exporter: the brokers."""

from __future__ import annotations

import ipaddress
import re

from opsgen.catalogue.load import Document
from opsgen.catalogue.paths import mapping, text
from opsgen.errors import Problem


def bootstrap_servers(platform: dict) -> bool | None:
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


def _kafka_server_problem(server: str) -> str | None:
    if server != server.strip() or not server:  # KEDA splits on ',' and trims nothing
        return f"platform.kafka.bootstrapServers: {server!r}: write the brokers separated by ',' alone, without spaces or empty entries"
    host, colon, port = server.rpartition(":")
    if not colon or not host or not _PORT.fullmatch(port) or not 1 <= int(port) <= 65535:
        return f"platform.kafka.bootstrapServers: {server!r} must be host:port, the port 1-65535, such as kafka.kafka.svc:9092"
    if not _is_host(host):
        return (
            f"platform.kafka.bootstrapServers: {server!r}: the host must be a DNS name (letters, digits and '-' "
            "in dot-separated labels of at most 63, 253 in all) or an IP address ([...] for IPv6)"
        )
    if "." not in host and not host.startswith("["):
        return (
            f"platform.kafka.bootstrapServers: {server!r} has no namespace, so it resolves in the namespace of whoever "
            f"connects (KEDA runs in 'keda', kafka-exporter in 'monitoring'); write <service>.<namespace>.svc:{port}, "
            f"such as {host}.kafka.svc:{port}"
        )
    return None


_PORT = re.compile(r"[0-9]{1,5}")  # ASCII digits only: str.isdigit() takes full-width and other digits
_DNS_LABEL = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?")


def _is_host(host: str) -> bool:
    """A DNS name or an IP address, as a Kafka client resolves it (IPv6 in brackets)."""
    if host.startswith("[") and host.endswith("]"):
        try:
            return ipaddress.ip_address(host[1:-1]).version == 6
        except ValueError:
            return False
    return len(host) <= 253 and all(_DNS_LABEL.fullmatch(label) for label in host.split("."))
