"""What the end-to-end tests pretend the cluster runs: one fleet process
(fleet.py) per catalogue service, in the scenario its name says, and the
exporters the stack brings (kafka_exporter, kube-state-metrics, KEDA,
Kubecost), each with the scrape target its monitor would give it."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opsgen import conventions as conv
from opsgen.catalogue.model import Service
from tests.e2e.generated import Generated
from tests.e2e.processes import Process, Processes, wait_for
from tests.e2e.prometheus import Target

# service name -> scenario (fleet.agent); every other service is healthy
SCENARIOS = {
    "outage-agent": "outage",
    "slow-agent": "slow",
    "slow-api": "slow",
    "renamed-agent": "renamed",
    "steady-agent": "steady",
    "low-objective-agent": "outage",
    "http-api": "http",
}
# service -> lag per partition of its consumer group (-1: never committed); others: HEALTHY_LAGS
LAGS = {"backlog-consumer": [1001, -1, -1]}
AT_MAX = ("backlog-consumer",)  # services whose HPA runs at its effective maximum (others at their minimum)
HEALTHY_LAGS = [3, 2, -1]
HEALTHY_NAMESPACES = ("agents", "ci", "search")
TOPIC_RATE = 5  # messages per second per partition; each later pipeline stage gets one less
KUBECOST_NODE = "node-a"


@dataclass(frozen=True)
class Member:
    """One process of the fleet and how Prometheus finds it."""

    name: str
    spec: dict[str, Any]
    namespace: str
    service: str
    endpoint: str
    honor_labels: bool = False
    kind: str = "service"
    path: str = "/metrics"
    relabelings: tuple[dict[str, Any], ...] = ()


def scenario(service: Service) -> str:
    return SCENARIOS.get(service.name, "healthy")


def members(generated: Generated) -> list[Member]:
    services = [s for s in generated.services if s.metrics]
    monitors = {
        (d["metadata"]["namespace"], d["metadata"]["name"]): d
        for d in generated.of_kind("ServiceMonitor") + generated.of_kind("PodMonitor")
    }
    out = [_service_member(s, monitors[(s.namespace, s.name)]) for s in services]
    return out + _exporters(generated)


def _service_member(service: Service, monitor: dict[str, Any]) -> Member:
    kind = "http" if scenario(service) == "http" else "agent"
    spec = {
        "kind": kind,
        "scenario": scenario(service),
        "runner": service.role == "runner",
        "duration": service.slo.histogram,
    }
    endpoints = monitor["spec"].get("endpoints") or monitor["spec"].get("podMetricsEndpoints")
    kind = "service" if monitor["kind"] == "ServiceMonitor" else "pod"
    relabelings = tuple(endpoints[0].get("relabelings") or ())
    path = endpoints[0].get("path", "/metrics")
    return Member(
        service.name,
        spec,
        service.namespace,
        service.name,
        endpoints[0]["port"],
        kind=kind,
        path=path,
        relabelings=relabelings,
    )


def _exporters(generated: Generated) -> list[Member]:
    kafka = [s for s in generated.services if s.scaling and s.scaling.kafka]
    scaled = [s for s in generated.services if s.scaling]
    topics = list(generated.catalogue.pipeline_topics) or [s.scaling.kafka.topic for s in kafka]
    groups = [
        {
            "group": s.scaling.kafka.consumer_group,
            "topic": s.scaling.kafka.topic,
            "lags": LAGS.get(s.name, HEALTHY_LAGS),
        }
        for s in kafka
    ]
    rates = {topic: max(1, TOPIC_RATE - index) for index, topic in enumerate(topics)}
    namespaces = sorted({s.namespace for s in generated.services})
    return [
        Member(
            "kafka-exporter",
            {"kind": "kafka-exporter", "topics": rates, "groups": groups},
            "monitoring",
            "kafka-exporter",
            "metrics",
        ),
        Member(
            "kube-state-metrics",
            {"kind": "kube-state-metrics", "hpas": [_hpa(s) for s in scaled]},
            "monitoring",
            "prometheus-kube-state-metrics",
            "http",
            honor_labels=True,
        ),
        Member(
            "keda",
            {"kind": "keda", "scaledobjects": [_scaled_object(s) for s in kafka]},
            "keda",
            "keda-operator",
            "metrics",
        ),
        Member(
            "kubecost",
            {"kind": "kubecost", "node": KUBECOST_NODE, "namespaces": namespaces},
            "kubecost",
            "kubecost-cost-analyzer",
            "tcp-model",
            honor_labels=True,
        ),
    ]


def _hpa(service: Service) -> dict[str, Any]:
    """The HPA as kube-state-metrics shows it (KEDA's own HPA never goes below 1, and never
    above the topic's partitions while its spec still says maxReplicas)."""
    low, high = max(service.scaling.min_replicas, 1), service.scaling.max_replicas
    current = service.scaling.effective_max_replicas if service.name in AT_MAX else low
    where = {"namespace": service.namespace, "name": conv.hpa_name(service), "target": service.name}
    return where | {"current": current, "desired": current, "min": low, "max": high}


def _scaled_object(service: Service) -> dict[str, Any]:
    lags = LAGS.get(service.name, HEALTHY_LAGS)
    return {
        "namespace": service.namespace,
        "name": service.name,
        "topic": service.scaling.kafka.topic,
        "lag": sum(x for x in lags if x > 0),
    }


def start(processes: Processes, workdir: Path, fleet: list[Member]) -> list[Target]:
    """Start every member; their scrape targets once each listens."""
    workdir.mkdir(parents=True, exist_ok=True)
    started = []
    for member in fleet:
        port_file = workdir / f"{member.namespace}-{member.name}.port"
        argv = [sys.executable, "-m", "tests.e2e.fleet", json.dumps(member.spec), str(port_file)]
        process = processes.start(
            Process(f"fleet {member.name}", argv, workdir / f"{member.namespace}-{member.name}.log"), cwd=_repo()
        )
        started.append((member, process, port_file))
    return [_target(member, process, port_file) for member, process, port_file in started]


def _target(member: Member, process: Process, port_file: Path) -> Target:
    def port() -> int | None:
        if not process.alive():
            raise AssertionError(f"{process.name} exited:\n{process.tail()}")
        return int(port_file.read_text()) if port_file.exists() else None

    number = wait_for(f"{process.name} to listen", port, timeout=20)
    return Target(
        port=number,
        namespace=member.namespace,
        service=member.service,
        endpoint=member.endpoint,
        kind=member.kind,
        monitor=member.service,
        path=member.path,
        honor_labels=member.honor_labels,
        relabelings=member.relabelings,
    )


def _repo() -> Path:
    return Path(__file__).resolve().parents[2]
