"""Every query of every generated dashboard returns data for a healthy fleet,
run against a real Prometheus that scrapes the fleet with the generated
rules loaded, with the variables and built-ins substituted as Grafana does
(grafana.py) and the namespace variable set to the healthy namespaces.

The exception are panels that list firing alerts (queries over ``ALERTS``):
for a healthy fleet they must list nothing (no value above 0; a count per
service may read 0); test_delivery.py shows them listing the incidents'
alerts once those fire."""

from __future__ import annotations

import pytest

from opsgen.generate import dashboards
from tests.e2e import cluster, grafana
from tests.e2e.conftest import needs_servers
from tests.e2e.panels import has_data, substituted, wait_for_data
from tests.e2e.prometheus import Prometheus

pytestmark = needs_servers
DASHBOARDS = tuple(module.NAME for module in dashboards.MODULES)  # every dashboard opsgen can emit
TIMEOUT = 30.0  # seconds for the healthy fleet's data to be there at all
SETTLE = 15.0  # seconds more for every query of a dashboard to return data


def key(generated, name: str) -> str:
    return f"{generated.catalogue.platform.name}-{name}.json"


@pytest.fixture(scope="module")
def healthy(prom: Prometheus) -> Prometheus:
    """Prometheus once every healthy service has a rate and the catalogue series are recorded."""
    namespaces = "|".join(cluster.HEALTHY_NAMESPACES)
    count = len(cluster.HEALTHY_NAMESPACES)
    prom.wait_for_series(
        f'count(count by (namespace) (rate(agent_tasks_total{{namespace=~"{namespaces}"}}[1m]) > 0)) == {count}',
        TIMEOUT,
    )
    prom.wait_for_series(
        f'count(count by (namespace) (opsgen:service_info{{namespace=~"{namespaces}"}})) == {count}', TIMEOUT
    )
    return prom


def test_every_generated_dashboard_is_checked(generated):
    assert sorted(generated.dashboards()) == sorted(key(generated, name) for name in DASHBOARDS)


@pytest.mark.parametrize("name", DASHBOARDS)
def test_every_query_returns_data_for_a_healthy_fleet(healthy, generated, name):
    queries = substituted(healthy, generated.dashboards()[key(generated, name)], name, cluster.HEALTHY_NAMESPACES)
    assert queries, f"{name} has no queries"
    alerts = {q: expr for q, expr in queries.items() if grafana.lists_alerts(expr)}
    empty = wait_for_data(healthy, {q: expr for q, expr in queries.items() if q not in alerts}, SETTLE)
    assert not empty, "no data for:\n" + "\n".join(f"{q}\n  ran: {expr}" for q, expr in empty.items())
    listing = {q: expr for q, expr in alerts.items() if has_data(healthy, grafana.listed(expr), q.instant)}
    assert not listing, "alerts listed for a healthy fleet:\n" + "\n".join(map(str, listing))
