"""Each environment's values (environments/<env>.yaml, what the charts'
``environment.yaml.gotmpl`` files read), merged as helmfile merges them and
checked per environment: the keys the templates read, of the right kind, and a
Prometheus that keeps at least the SLO period (the error budget reads that far
back)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from opsgen import durations
from opsgen.catalogue.model import Catalogue
from opsgen.errors import Problem
from opsgen.stack.helmfile import HELMFILE
from opsgen.stack.read import Sources, get, show

QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$")
RETENTION = "prometheus.retention"


def _duration(value: Any) -> bool:
    return isinstance(value, str) and durations.is_duration(value)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _quantity(value: Any) -> bool:
    return isinstance(value, str) and bool(QUANTITY.match(value))


def _flag(value: Any) -> bool:
    return isinstance(value, bool)


# Every key the environment templates read, with what a valid value looks like.
KEYS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "cluster.name": (lambda v: isinstance(v, str) and bool(v), "a cluster name"),
    RETENTION: (_duration, "a Prometheus duration such as 30d"),
    "prometheus.replicas": (_count, "a whole number of at least 1"),
    "prometheus.storage": (_quantity, "a Kubernetes quantity such as 50Gi"),
    "alertmanager.replicas": (_count, "a whole number of at least 1"),
    "grafana.persistence": (_flag, "true or false"),
    "loki.retention": (_duration, "a Prometheus duration such as 720h"),
    "loki.storage": (_quantity, "a Kubernetes quantity such as 50Gi"),
    "collector.replicas": (_count, "a whole number of at least 1"),
    "collector.memoryLimit": (_quantity, "a Kubernetes quantity such as 512Mi"),
    "collector.cpuRequest": (_quantity, "a Kubernetes quantity such as 100m"),
    "collector.memoryRequest": (_quantity, "a Kubernetes quantity such as 256Mi"),
    "kubecost.enabled": (_flag, "true or false"),
    "kubecost.productKey": (_flag, "true or false"),
    "metricsServer.enabled": (_flag, "true or false"),
}


def check(
    catalogue: Catalogue, sources: Sources, values: dict[str, tuple[dict, list[str]]], problems: list[Problem]
) -> None:
    for env, (merged, files) in values.items():
        for key, (valid, what) in KEYS.items():
            value = get(merged, key)
            if not valid(value):
                problems.append(
                    sources.set_in(
                        files, key, f"environment {env!r}: {key} is {show(value)}; it must be {what}", HELMFILE
                    )
                )
        _retention(catalogue, sources, env, merged, files, problems)


def _retention(
    catalogue: Catalogue, sources: Sources, env: str, merged: dict, files: list[str], problems: list[Problem]
) -> None:
    retention = get(merged, RETENTION)
    if not _duration(retention):
        return
    period = catalogue.platform.slo_period  # as written: 30d, 4w
    if durations.seconds(retention) < durations.seconds(period):
        problems.append(
            sources.set_in(
                files,
                RETENTION,
                f"environment {env!r}: Prometheus keeps {retention}, less than the SLO period {period} "
                f"(platform.slo.period of {catalogue.file}): the error budget would cover {retention} only; "
                f"keep at least {period} (and size prometheus.storage for it) or shorten the period",
                HELMFILE,
            )
        )
