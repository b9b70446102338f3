"""Fixtures of the end-to-end tests: the generated output of the test
catalogue, the fleet, local webhooks, a real Alertmanager and a real
Prometheus. Every process is started in a fixture and stopped in its
``finally``, whatever the tests did; each wait has a deadline."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import alertmanager, cluster, history, prometheus
from tests.e2e.alertmanager import Alertmanager
from tests.e2e.generated import Generated, generate
from tests.e2e.processes import Processes, http_get
from tests.e2e.prometheus import Prometheus, Target
from tests.e2e.webhook import Webhooks

SERVERS_MISSING = prometheus.available((prometheus.BINARY, alertmanager.BINARY))
needs_servers = pytest.mark.skipif(SERVERS_MISSING is not None, reason=SERVERS_MISSING or "")
UP_TIMEOUT = 30.0  # seconds for every target to be scraped once


@pytest.fixture(scope="session")
def generated() -> Generated:
    return generate()


@pytest.fixture(scope="session")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def processes() -> Iterator[Processes]:
    started = Processes()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture(scope="session")
def webhooks() -> Iterator[Webhooks]:
    with Webhooks() as hooks:
        yield hooks


@pytest.fixture(scope="session")
def targets(generated, processes, workdir) -> list[Target]:
    return cluster.start(processes, workdir / "fleet", cluster.members(generated))


@pytest.fixture(scope="session")
def alertmanager_server(generated, processes, workdir, webhooks) -> Alertmanager:
    config = alertmanager.config(generated.routing(), webhooks.url)
    return Alertmanager.start(processes, workdir / "alertmanager", config)


@pytest.fixture(scope="session")
def prom(generated, processes, workdir, targets, alertmanager_server) -> Prometheus:
    """Prometheus on the generated rules, scraping the fleet, with history
    backfilled before it starts: 30 days for the error budget, a day of Kubecost."""
    home = workdir / "prometheus"
    now = time.time()
    (kubecost,) = [t for t in targets if t.namespace == "kubecost"]
    past = history.budget(generated, targets, now).update(
        history.steady(kubecost, http_get(kubecost.url()).decode(), now)
    )
    past.update(history.slo_history(generated, targets, now))
    past.write_blocks(home / "data")
    rule_files = generated.rule_files()
    config = prometheus.config(targets, [f"rules/{name}" for name in rule_files], alertmanager_server.address)
    server = Prometheus.start(processes, home, config, rule_files)
    server.started = now
    server.wait_for_series(f"count(up == 1) >= {len(targets)}", UP_TIMEOUT)
    return server
