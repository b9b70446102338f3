"""The other charts' values against the catalogue: Kubecost reads the platform
Prometheus, kafka-exporter reads the catalogue's brokers, and every ``release``
label in charts/ is the catalogue's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue
from opsgen.errors import Problem
from opsgen.stack import prometheus
from opsgen.stack.helmfile import HELMFILE, find_release
from opsgen.stack.prometheus import Values
from opsgen.stack.read import Sources, Unreadable, show

CHARTS_DIR = "charts"
KUBECOST_CHART = "cost-analyzer"
KAFKA_EXPORTER_CHART = "prometheus-kafka-exporter"


def kubecost(catalogue: Catalogue, sources: Sources, releases: list[dict], problems: list[Problem]) -> None:
    """Kubecost reads the platform Prometheus, whose Service name follows the release name."""
    release = find_release(releases, KUBECOST_CHART)
    if release is None:
        return
    values = Values(sources, release)
    if values.get("global.prometheus.enabled") is not False:
        return  # Kubecost's bundled Prometheus
    fqdn = str(values.get("global.prometheus.fqdn"))
    host = f"{prometheus.service(catalogue.platform.release)}.{catalogue.platform.namespace}."
    if f"//{host}" not in fqdn:
        problems.append(
            values.at(
                "global.prometheus.fqdn",
                f"global.prometheus.fqdn is {fqdn!r}; the platform Prometheus of "
                f"{catalogue.file} is http://{host}svc:9090",
            )
        )


def kafka_exporter(catalogue: Catalogue, sources: Sources, releases: list[dict], problems: list[Problem]) -> None:
    """kafka-exporter reads lag from the brokers the catalogue's KEDA triggers use."""
    wanted = catalogue.platform.kafka_bootstrap
    release = find_release(releases, KAFKA_EXPORTER_CHART)
    if wanted is None:
        return
    if release is None:
        problems.append(
            sources.at(
                HELMFILE,
                ["releases"],
                f"no {KAFKA_EXPORTER_CHART} release: Kafka lag alerts and dashboards would have no data",
            )
        )
        return
    values = Values(sources, release)
    servers = values.get("kafkaServer")
    if servers != [wanted]:
        problems.append(
            values.at(
                "kafkaServer",
                f"release {release.get('name')!r}: kafkaServer is {show(servers)}; "
                f"{catalogue.file} has platform.kafka.bootstrapServers {wanted!r}",
            )
        )


def release_labels(catalogue: Catalogue, sources: Sources, problems: list[Problem]) -> None:
    """Every ``release:`` label in the charts' values (ServiceMonitors of the stack's own parts)."""
    base = sources.root / CHARTS_DIR
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*.yaml")):
        name = str(path.relative_to(sources.root))
        try:
            data = sources.data(name)
        except Unreadable as exc:
            if exc.problem not in problems:
                problems.append(exc.problem)
            continue
        for where, value in _label_values(data, conv.RELEASE_LABEL):
            if value != catalogue.platform.release:
                problems.append(
                    sources.at(
                        name,
                        where,
                        f"{'.'.join(map(str, where))} is {value!r}, but {catalogue.file} sets "
                        f"platform.prometheus.release to {catalogue.platform.release!r}: every release label and selector must use it",
                    )
                )


def _label_values(node: Any, label: str, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """(path, value) of ``label`` inside every mapping whose key ends in 'abels' (labels, matchLabels …)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = (*path, key)
            if str(key).endswith("abels") and isinstance(value, dict) and label in value:
                yield (*here, label), value[label]
            yield from _label_values(value, label, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _label_values(item, label, (*path, i))
