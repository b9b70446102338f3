"""The fake fleet: one process per service or exporter, written with
prometheus_client, the library the platform's services use.

    python -m tests.e2e.fleet '<json spec>' <port file>

binds 127.0.0.1:0, writes the port it got into the port file and then keeps its metrics moving (counters grow, offsets advance) until it is
stopped. The spec's ``kind`` picks what it exports:

- ``agent``: ``agent_tasks_total{outcome}`` and ``agent_task_duration_seconds``
  (default buckets) in one ``scenario``: ``healthy`` (only successes: as with
  every prometheus_client counter, the ``outcome="failure"`` child is never
  created), ``outage`` (only failures), ``slow`` (every task takes 5 s),
  ``renamed`` (the same, as ``agent_jobs_total``/``agent_job_duration_seconds``),
  ``steady`` (one task in STEADY_EVERY fails: 0.8 x a 99 % budget);
  ``runner: true`` adds ``ci_build_duration_seconds``.
- ``http``: ``http_requests_total{code}``, a service counting its own requests:
  three 503s and a 404 in every four requests (only the 503s are its failures).
- ``kafka-exporter``: kafka_exporter's per-partition series; lag ``-1`` (and
  current offset ``-1``) for a partition the group never committed, and its
  ``_sum`` series skip those, as kafka_exporter v1.9 does.
- ``kube-state-metrics``: HPA and Deployment series.
- ``keda``: KEDA 2.13's operator metrics (labelled ``namespace``; scraped
  without honor_labels they arrive as ``exported_namespace``).
- ``kubecost``: Kubecost cost-model prices and allocations.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

TICK = 0.2  # seconds between updates
SLOW_TASK = 5.0  # seconds a task of the slow scenario takes
STEADY_EVERY = 125  # the steady scenario fails one task in this many (0.8 %)
HTTP_CODES = ("503", "503", "503", "404")
BUILD_BUCKETS = (30, 60, 120, 300, 600, 1200, 1800)
Updater = Callable[[float], None]  # called every tick with the seconds since start


def agent(spec: dict[str, Any], registry: CollectorRegistry) -> Updater:
    scenario = spec["scenario"]
    prefix = "agent_jobs" if scenario == "renamed" else "agent_tasks"
    tasks = Counter(prefix, "Tasks by outcome.", ["outcome"], registry=registry)
    duration_name = "agent_job_duration_seconds" if scenario == "renamed" else spec["duration"]  # the SLOs' histogram
    duration = Histogram(duration_name, "Task duration.", registry=registry)
    outcome = "failure" if scenario == "outage" else "success"
    outcomes = (
        itertools.cycle(["failure"] + ["success"] * (STEADY_EVERY - 1))
        if scenario == "steady"
        else itertools.repeat(outcome)
    )
    seconds = itertools.cycle([SLOW_TASK] if scenario == "slow" else [0.2, 0.3, 0.4])
    builds = _builds(registry) if spec.get("runner") else None

    def update(_: float) -> None:
        tasks.labels(next(outcomes)).inc()
        duration.observe(next(seconds))
        if builds:
            builds()

    return update


def http(spec: dict[str, Any], registry: CollectorRegistry) -> Updater:
    requests = Counter("http_requests", "HTTP requests by status code.", ["code"], registry=registry)
    codes = itertools.cycle(HTTP_CODES)
    return lambda _: requests.labels(next(codes)).inc()


def _builds(registry: CollectorRegistry) -> Callable[[], None]:
    histogram = Histogram("ci_build_duration_seconds", "Build duration.", buckets=BUILD_BUCKETS, registry=registry)
    seconds = itertools.cycle([90.0, 150.0, 400.0])
    return lambda: histogram.observe(next(seconds))


def kafka_exporter(spec: dict[str, Any], registry: CollectorRegistry) -> Updater:
    """spec: topics {topic: messages per second per partition};
    groups [{group, topic, lags: [lag per partition, -1 = never committed]}]
    (one group per topic; the topic has as many partitions as lags)."""
    topic_offset = Gauge("kafka_topic_partition_current_offset", "", ["topic", "partition"], registry=registry)
    partitions = Gauge("kafka_topic_partitions", "", ["topic"], registry=registry)
    partitions_of = {group["topic"]: len(group["lags"]) for group in spec["groups"]}
    group_gauges = {
        name: Gauge(name, "", labels, registry=registry)
        for name, labels in (
            ("kafka_consumergroup_lag", ["consumergroup", "topic", "partition"]),
            ("kafka_consumergroup_current_offset", ["consumergroup", "topic", "partition"]),
            ("kafka_consumergroup_lag_sum", ["consumergroup", "topic"]),
            ("kafka_consumergroup_current_offset_sum", ["consumergroup", "topic"]),
        )
    }
    for topic, count in partitions_of.items():
        partitions.labels(topic).set(count)

    def update(elapsed: float) -> None:
        for topic, per_second in spec["topics"].items():
            for partition in range(partitions_of[topic]):
                topic_offset.labels(topic, str(partition)).set(1000 + int(per_second * elapsed))
        for group in spec["groups"]:
            _group(group_gauges, group, 1000 + int(spec["topics"][group["topic"]] * elapsed))

    return update


def _group(gauges: dict[str, Gauge], group: dict[str, Any], head: int) -> None:
    name, topic, lags = group["group"], group["topic"], group["lags"]
    for partition, lag in enumerate(lags):
        committed = lag >= 0
        gauges["kafka_consumergroup_lag"].labels(name, topic, str(partition)).set(lag)
        gauges["kafka_consumergroup_current_offset"].labels(name, topic, str(partition)).set(
            head - lag if committed else -1
        )
    gauges["kafka_consumergroup_lag_sum"].labels(name, topic).set(sum(lag for lag in lags if lag >= 0))
    gauges["kafka_consumergroup_current_offset_sum"].labels(name, topic).set(
        sum(head - lag for lag in lags if lag >= 0)
    )


def kube_state_metrics(spec: dict[str, Any], registry: CollectorRegistry) -> Updater:
    """spec: hpas [{namespace, name, target, current, desired, min, max}]."""
    hpa = ["namespace", "horizontalpodautoscaler"]
    values = {
        "kube_horizontalpodautoscaler_status_current_replicas": "current",
        "kube_horizontalpodautoscaler_status_desired_replicas": "desired",
        "kube_horizontalpodautoscaler_spec_min_replicas": "min",
        "kube_horizontalpodautoscaler_spec_max_replicas": "max",
    }
    info = Gauge(
        "kube_horizontalpodautoscaler_info", "", hpa + ["scaletargetref_kind", "scaletargetref_name"], registry=registry
    )
    deployment = ["namespace", "deployment"]
    replicas = {
        name: Gauge(name, "", deployment, registry=registry)
        for name in (
            "kube_deployment_spec_replicas",
            "kube_deployment_status_replicas",
            "kube_deployment_status_replicas_available",
        )
    }
    gauges = {name: Gauge(name, "", hpa, registry=registry) for name in values}
    for item in spec["hpas"]:
        info.labels(item["namespace"], item["name"], "Deployment", item["target"]).set(1)
        for name, key in values.items():
            gauges[name].labels(item["namespace"], item["name"]).set(item[key])
        for gauge in replicas.values():
            gauge.labels(item["namespace"], item["target"]).set(item["current"])
    return lambda _: None


def keda(spec: dict[str, Any], registry: CollectorRegistry) -> Updater:
    """spec: scaledobjects [{namespace, name, topic, lag}]."""
    scaler = ["namespace", "scaledObject", "scaler", "scalerIndex", "metric"]
    value = Gauge("keda_scaler_metrics_value", "", scaler, registry=registry)
    active = Gauge("keda_scaler_active", "", scaler, registry=registry)
    errors = Gauge("keda_scaler_errors", "", scaler, registry=registry)  # a Go counter without _total
    object_errors = Gauge("keda_scaled_object_errors", "", ["namespace", "scaledObject"], registry=registry)
    paused = Gauge("keda_scaled_object_paused", "", ["namespace", "scaledObject"], registry=registry)
    for item in spec["scaledobjects"]:
        labels = (item["namespace"], item["name"], "kafkaScaler", "0", f"s0-kafka-{item['topic']}")
        value.labels(*labels).set(item["lag"])
        active.labels(*labels).set(1 if item["lag"] > 0 else 0)
        errors.labels(*labels).set(0)
        object_errors.labels(item["namespace"], item["name"]).set(0)
        paused.labels(item["namespace"], item["name"]).set(0)
    return lambda _: None


def kubecost(spec: dict[str, Any], registry: CollectorRegistry) -> Updater:
    """spec: node, namespaces [names]. One node, one pod and one volume per namespace."""
    node = spec["node"]
    prices = {"node_cpu_hourly_cost": 0.03, "node_ram_hourly_cost": 0.004, "node_gpu_hourly_cost": 0.0}
    for name, price in prices.items():
        Gauge(name, "", ["node", "instance_type"], registry=registry).labels(node, "m5.large").set(price)
    Gauge("node_total_hourly_cost", "", ["node", "instance_type"], registry=registry).labels(node, "m5.large").set(
        0.096
    )
    pod = ["namespace", "pod", "container", "node"]
    cpu = Gauge("container_cpu_allocation", "", pod, registry=registry)
    memory = Gauge("container_memory_allocation_bytes", "", pod, registry=registry)
    pv_cost = Gauge("pv_hourly_cost", "", ["persistentvolume", "volumename"], registry=registry)
    capacity = Gauge("kube_persistentvolume_capacity_bytes", "", ["persistentvolume"], registry=registry)
    claim = Gauge(
        "kube_persistentvolumeclaim_info",
        "",
        ["namespace", "persistentvolumeclaim", "volumename", "storageclass"],
        registry=registry,
    )
    for namespace in spec["namespaces"]:
        cpu.labels(namespace, f"{namespace}-0", "main", node).set(0.5)
        memory.labels(namespace, f"{namespace}-0", "main", node).set(512 * 1024**2)
        volume = f"pv-{namespace}"
        pv_cost.labels(volume, volume).set(0.0001)
        capacity.labels(volume).set(10 * 1024**3)
        claim.labels(namespace, f"data-{namespace}", volume, "standard").set(1)
    return lambda _: None


KINDS: dict[str, Callable[[dict[str, Any], CollectorRegistry], Updater]] = {
    "agent": agent,
    "http": http,
    "kafka-exporter": kafka_exporter,
    "kube-state-metrics": kube_state_metrics,
    "keda": keda,
    "kubecost": kubecost,
}


def ticks() -> Iterator[float]:
    start = time.monotonic()
    while True:
        yield time.monotonic() - start
        time.sleep(TICK)


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    registry = CollectorRegistry()
    update = KINDS[spec["kind"]](spec, registry)
    update(0.0)
    server, _ = start_http_server(0, addr="127.0.0.1", registry=registry)
    port_file = argv[1]
    with open(port_file + ".tmp", "w", encoding="utf-8") as out:
        out.write(str(server.server_port))
    os.replace(port_file + ".tmp", port_file)  # never seen half-written
    for elapsed in ticks():
        update(elapsed)


if __name__ == "__main__":
    main(sys.argv[1:])
