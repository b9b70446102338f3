"""Cost Summary: what has each namespace actually spent per day?

From Kubecost's cost-model metrics, with Kubecost's own dashboards' semantics: a
container's CPU, memory and GPU allocation priced at its node's hourly prices,
each price averaged over 10 minutes (``avg_over_time(node_cpu_hourly_cost[10m])``,
as Kubecost's Grafana dashboards smooth them), plus each PersistentVolumeClaim's
volume at ``pv_hourly_cost`` per GiB-hour. That hourly cost is integrated over the
day (sampled every 5 minutes by a subquery, each sample worth 5 minutes), so a
namespace that ran for two hours is charged two hours: dollars spent, not an hourly
run rate × 24. Node prices carry no namespace; the namespace variable narrows the
allocations and claims.
"""

from __future__ import annotations

from opsgen.generate.dashboards import queries as q
from opsgen.generate.dashboards.defaults import FULL, Query, Scope, bargauge_panel, stat_panel, timeseries_panel

NAME = "cost-summary"
TITLE = "Cost Summary"
DESCRIPTION = (
    "Dollars spent per day by namespace (Kubecost's CPU, memory, GPU and volume allocations at node and volume prices)."
)

GIB = 1024**3
SMOOTHING = "10m"  # prices averaged as Kubecost's dashboards do
STEP, STEPS_PER_HOUR = "5m", 12  # the integration: one sample every 5 minutes, each worth 1/12 hour
DAY = "1d"
POINT_EVERY = "1h"  # panels' minimum interval: a day's spend needs no finer steps
COUNTED = (
    "Counted: CPU, memory and GPU allocated to the namespace's containers (Kubecost: the larger of request and "
    "usage) at their node's hourly prices averaged over 10 minutes, and the namespace's PersistentVolumeClaims at "
    "their volume's capacity × pv_hourly_cost. Not counted: idle node capacity, cluster management, load balancers, "
    "network egress, node-local ephemeral storage, and discounts or billing reconciliation Kubecost applies outside "
    "Prometheus."
)


def panels(scope: Scope) -> list:
    return [daily_by_namespace(), daily_by_resource(), spent_in_range(), cluster_daily()]


def _price(metric: str, by: str) -> str:
    return f"avg by ({by}) (avg_over_time({metric}[{SMOOTHING}]))"


def _allocated(allocation: str, price: str, scale: str = "") -> str:
    """Hourly cost per namespace of an allocation priced at its node's smoothed price."""
    containers = f"avg by (namespace, pod, container, node) ({q.selector(allocation, q.IN_NAMESPACE)}){scale}"
    return f"sum by (namespace) ({containers} * on(node) group_left() {_price(price, 'node')})"


def _volumes() -> str:
    """Hourly cost per namespace of its claims' volumes: capacity in GiB × the price per GiB-hour."""
    claims = f'label_replace({q.selector("kube_persistentvolumeclaim_info", q.IN_NAMESPACE)}, "persistentvolume", "$1", "volumename", "(.+)")'
    claims = f"max by (namespace, persistentvolumeclaim, persistentvolume) ({claims})"
    capacity = f"avg by (persistentvolume) (kube_persistentvolume_capacity_bytes) / {GIB}"
    return f"sum by (namespace) ({claims} * on(persistentvolume) group_left() ({_price('pv_hourly_cost', 'persistentvolume')} * {capacity}))"


PARTS = {  # resource label -> hourly cost per namespace
    "cpu": lambda: _allocated("container_cpu_allocation", "node_cpu_hourly_cost"),
    "memory": lambda: _allocated("container_memory_allocation_bytes", "node_ram_hourly_cost", f" / {GIB}"),
    "gpu": lambda: _allocated("container_gpu_allocation", "node_gpu_hourly_cost"),
    "storage": _volumes,
}


def hourly() -> str:
    """Hourly cost labelled {namespace, resource}; a part a namespace lacks (no GPU, no
    volume) is absent, not a hole in the others (``or``, not ``+``)."""
    parts = [f'label_replace({part()}, "resource", "{name}", "", "")' for name, part in PARTS.items()]
    return " or ".join(parts)


def spent(expr: str, window: str) -> str:
    """Dollars spent over ``window`` at the hourly cost ``expr``: its 5-minute samples summed, each worth 1/12 hour."""
    return f"sum_over_time(({expr})[{window}:{STEP}]) / {STEPS_PER_HOUR}"


def daily_by_namespace():
    query = Query(f"sum by (namespace) ({spent(hourly(), DAY)})", "{{namespace}}")
    description = f"Dollars each namespace spent in the 24 hours before each point. {COUNTED}"
    return timeseries_panel("Daily cost by namespace", description, "currencyUSD", [query], span=FULL).interval(
        POINT_EVERY
    )


def daily_by_resource():
    query = Query(f"sum by (resource) ({spent(hourly(), DAY)})", "{{resource}}")
    description = f"Dollars the selected namespaces spent in the 24 hours before each point, by resource. {COUNTED}"
    return timeseries_panel("Daily cost by resource", description, "currencyUSD", [query]).interval(POINT_EVERY)


def spent_in_range():
    query = Query(f"sum by (namespace) ({spent(hourly(), q.RANGE)})", "{{namespace}}")
    description = f"Dollars each namespace spent over the whole time range. {COUNTED}"
    return bargauge_panel("Spent over the time range", description, "currencyUSD", [query])


def cluster_daily():
    query = Query(f"sum({spent('node_total_hourly_cost', DAY)})", "cluster")
    description = (
        "What all nodes of the cluster cost in the last 24 hours (node_total_hourly_cost integrated over the day), "
        "whatever runs on them: compare with the namespaces' sum to see idle capacity. Volumes, load balancers and "
        "network are not in it."
    )
    return stat_panel("Cluster cost in the last 24 hours", description, "currencyUSD", [query])
