"""Chart values that a real cluster needs, each checked against what the upstream chart does
at its pinned version (docs/ops.md, "Chart versions"): Kubecost's product key only where the
Secret exists, the collector's memory limit and span-metric names, metrics-server, Grafana's
Recreate strategy, kafka-exporter's namespace-qualified brokers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opsgen.stack import helmfile as helmfile_module
from tests.support import helm_values

REPO = Path(__file__).resolve().parent.parent
ENVS = ("dev", "staging", "prod")


def helmfile() -> dict:
    return helm_values.helmfile(REPO)


def env_values(env: str) -> dict:
    return helm_values.env_values(REPO, env)


def chart_values(chart: str, env: str) -> dict:
    return helm_values.release_values(REPO, release(chart), env, env_values(env))


def release(chart: str) -> dict:
    found = helmfile_module.find_release(helmfile()["releases"], chart)
    assert found is not None, chart
    return found


# -- Kubecost --------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_kubecost_mounts_the_product_key_only_where_the_environment_says_it_exists(env):
    """cost-analyzer 2.3.5 mounts the Secret without ``optional`` whenever productKey.enabled
    and secretname are set: without the Secret the pod hangs in ContainerCreating."""
    key = chart_values("cost-analyzer", env)["kubecostProductConfigs"]["productKey"]
    assert key["enabled"] is env_values(env)["kubecost"]["productKey"]
    assert key["secretname"] == "kubecost-product-key" and "key" not in key


def test_the_product_key_is_off_by_default():
    static = helm_values.static_values(REPO, release("cost-analyzer"))
    assert "productKey" not in (static.get("kubecostProductConfigs") or {})
    assert all(env_values(env)["kubecost"]["productKey"] is False for env in ENVS)


# -- OpenTelemetry Collector -------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_the_collector_has_a_memory_limit_in_every_environment(env):
    """memory_limiter's percentages are of the pod's limit; without one, of the node's memory
    (the chart's NOTES warn), and it never triggers before the OOM killer does."""
    values = chart_values("opentelemetry-collector", env)
    assert re.fullmatch(r"\d+(Mi|Gi)", str(values["resources"]["limits"]["memory"]))
    assert "memory_limiter" in values["config"]["processors"]


def test_span_metrics_have_the_names_docs_ops_md_uses():
    """spanmetrics before v0.109.0 names its metrics calls/duration unless namespace is set."""
    values = helm_values.static_values(REPO, release("opentelemetry-collector"))
    namespace = values["config"]["connectors"]["spanmetrics"]["namespace"]
    assert namespace == "traces.span.metrics"
    prefix = namespace.replace(".", "_")
    ops = (REPO / "docs/ops.md").read_text(encoding="utf-8")
    assert f"{prefix}_calls_total" in ops and f"{prefix}_duration_milliseconds_bucket" in ops


def test_the_collector_chart_is_the_one_whose_app_is_0_103():
    """Chart 0.94.0 has appVersion 0.103.0, the contrib image pinned in the values."""
    assert release("opentelemetry-collector")["version"] == "0.94.0"
    values = helm_values.static_values(REPO, release("opentelemetry-collector"))
    assert values["image"]["tag"].startswith("0.103.")


# -- metrics-server --------------------------------------------------------------------


def test_metrics_server_is_a_pinned_release_on_by_default():
    """HPAs on cpu and Goldilocks' VPA recommender read metrics.k8s.io; Goldilocks 11.0.0 does
    not install metrics-server (its metrics-server.enabled defaults to false)."""
    server = release("metrics-server")
    assert server["chart"] == "metrics-server/metrics-server" and re.fullmatch(r"\d+\.\d+\.\d+", server["version"])
    assert server["condition"] == "metricsServer.enabled"
    assert all(env_values(env)["metricsServer"]["enabled"] is True for env in ENVS)
    repos = {r["name"]: r["url"] for r in helmfile()["repositories"]}
    assert repos["metrics-server"] == "https://kubernetes-sigs.github.io/metrics-server/"


# -- Grafana ---------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVS)
def test_grafana_with_a_volume_is_recreated_not_rolled(env):
    """A ReadWriteOnce volume cannot attach to the new pod while the old one holds it."""
    values = chart_values("kube-prometheus-stack", env)["grafana"]
    if values["persistence"]["enabled"]:
        assert values["deploymentStrategy"] == {"type": "Recreate"}


def test_some_environment_has_a_grafana_volume():
    assert any(chart_values("kube-prometheus-stack", env)["grafana"]["persistence"]["enabled"] for env in ENVS)


# -- kafka-exporter ----------------------------------------------------------------------


def test_kafka_exporter_brokers_are_namespace_qualified():
    """kafka-exporter runs in monitoring, KEDA in keda: a broker without a namespace
    resolves differently for each (kafka_exporter exits when no broker is reachable)."""
    servers = helm_values.static_values(REPO, release("prometheus-kafka-exporter"))["kafkaServer"]
    assert servers and all("." in server.rsplit(":", 1)[0] for server in servers)


def test_docs_ops_md_lists_every_release_at_its_pinned_version():
    """The "Chart versions" table: every release, its chart and version as pinned, and the
    app versions the charts really bring (Goldilocks 11.0.0 pulls VPA chart 4.12.x)."""
    rows = {}
    for line in (REPO / "docs/ops.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and "/" in cells[1]:
            rows[cells[0]] = cells
    for entry in helmfile()["releases"]:
        assert rows.get(entry["name"], [])[1:3] == [entry["chart"], entry["version"]], entry["name"]
    assert "VPA chart 4.12.x" in rows["goldilocks"][3]
    assert "0.103.0" in rows["otel-collector"][3]
