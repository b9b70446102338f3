"""Cost Summary: what does each namespace cost per day?

From Kubecost's cost-model metrics: a container's CPU and memory allocation
priced at its node's hourly CPU and RAM cost, times 24. Node prices carry no
namespace; the namespace variable narrows the allocations.
"""
from __future__ import annotations

from opsgen.build.dashboards import queries as q
from opsgen.build.dashboards.defaults import Query, Scope, stat_panel, timeseries_panel

NAME = "cost-summary"
TITLE = "Cost Summary"
DESCRIPTION = "Daily cost in USD by namespace (CPU and memory allocation at node prices, from Kubecost)."

HOURS = 24
GIB = 1024**3


def panels(scope: Scope) -> list:
    return [daily_by_namespace(), daily_by_resource(), cluster_daily()]


def _priced(allocation: str, price: str, scale: str = "") -> str:
    """Hourly cost per namespace: an allocation times its node's price."""
    node_price = f"on(node) group_left() max by (node) ({price})"
    return f"sum by (namespace) ({q.selector(allocation, q.IN_NAMESPACE)}{scale} * {node_price})"


def _cpu() -> str:
    return _priced("container_cpu_allocation", "node_cpu_hourly_cost")


def _memory() -> str:
    return _priced("container_memory_allocation_bytes", "node_ram_hourly_cost", f" / {GIB}")


def daily_by_namespace():
    query = Query(f"({_cpu()} + {_memory()}) * {HOURS}", "{{namespace}}")
    description = "Cost per day of the CPU and memory allocated to each namespace's containers, at the current node prices."
    return timeseries_panel("Daily cost by namespace", description, "currencyUSD", [query], span=24)


def daily_by_resource():
    queries = [Query(f"sum({_cpu()}) * {HOURS}", "CPU"), Query(f"sum({_memory()}) * {HOURS}", "memory")]
    description = "Daily cost of the selected namespaces, split into CPU and memory."
    return timeseries_panel("Daily cost by resource", description, "currencyUSD", queries)


def cluster_daily():
    query = Query(f"sum(node_total_hourly_cost) * {HOURS}", "cluster")
    description = "What all nodes of the cluster cost per day (node_total_hourly_cost × 24), whatever runs on them."
    return stat_panel("Cluster cost per day", description, "currencyUSD", [query])
