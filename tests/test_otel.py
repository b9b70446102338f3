"""The OpenTelemetry Collector 0.103 config in the collector chart's values."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from opsgen.catalogue.merge import deep_merge
from opsgen.stack import collector
from opsgen.stack import helmfile as helmfile_module
from tests.support import helm_values

REPO = Path(__file__).resolve().parent.parent
VALUES = REPO / "charts/tracing/opentelemetry-collector/values.yaml"


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))["config"]


def test_every_pipeline_names_only_defined_components(config):
    assert collector.collector_problems(config) == []


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_environment_gives_a_valid_config(env):
    """The release's plain values hold the whole pipeline; environments/<env>.yaml only picks
    the debug verbosity (helmfile renders the .gotmpl that copies it; opsgen has no renderer)."""
    helmfile = yaml.safe_load((REPO / "helmfile.yaml").read_text(encoding="utf-8"))
    env_values: dict = {}
    for f in helmfile["environments"][env]["values"]:
        env_values = deep_merge(env_values, yaml.safe_load((REPO / f).read_text(encoding="utf-8")), null_deletes=True)
    release = helmfile_module.find_release(helmfile["releases"], "opentelemetry-collector")
    values = helm_values.static_values(REPO, release)
    assert collector.collector_problems(values["config"]) == []
    assert env_values["collector"]["debugVerbosity"] in ("basic", "normal", "detailed")


def test_otlp_on_4317_and_4318(config):
    protocols = config["receivers"]["otlp"]["protocols"]
    assert protocols["grpc"]["endpoint"].endswith(":4317")
    assert protocols["http"]["endpoint"].endswith(":4318")
    for pipeline in config["service"]["pipelines"].values():
        assert pipeline["receivers"][0] == "otlp"


def test_traces_become_metrics_on_the_prometheus_exporter(config):
    pipelines = config["service"]["pipelines"]
    assert "spanmetrics" in config["connectors"]
    assert "spanmetrics" in pipelines["traces"]["exporters"]
    assert "spanmetrics" in pipelines["metrics"]["receivers"]
    assert pipelines["metrics"]["exporters"] == ["prometheus"]
    assert config["exporters"]["prometheus"]["endpoint"].endswith(":9464")


def test_logs_go_to_lokis_otlp_endpoint(config):
    (exporter,) = config["service"]["pipelines"]["logs"]["exporters"]
    assert exporter.split("/")[0] == "otlphttp"
    assert config["exporters"][exporter]["endpoint"].rstrip("/").endswith("/otlp")


def test_debug_not_the_deprecated_logging_exporter(config):
    assert "debug" in config["exporters"]
    assert "logging" not in config["exporters"]


def test_chart_defaults_removed_are_not_used(config):
    removed = {k for k, v in config["receivers"].items() if v is None}
    assert removed == {"jaeger", "zipkin", "prometheus"}
    for pipeline in config["service"]["pipelines"].values():
        assert not removed & set(pipeline["receivers"])


def test_the_collector_image_is_0_103():
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    assert values["image"]["repository"] == "otel/opentelemetry-collector-contrib"
    assert values["image"]["tag"].startswith("0.103.")
    ports = {name: p for name, p in values["ports"].items() if p.get("enabled")}
    assert {ports[n]["containerPort"] for n in ("otlp", "otlp-http", "prom-exporter")} == {4317, 4318, 9464}


# -- the check itself --------------------------------------------------------------------


def test_an_undefined_exporter_is_reported(config):
    broken = copy.deepcopy(config)
    broken["service"]["pipelines"]["logs"]["exporters"] = ["loki"]
    assert collector.collector_problems(broken) == [
        "config.service.pipelines.logs.exporters: 'loki' is not defined in config"
    ]


def test_a_connector_on_one_side_only_is_reported(config):
    broken = copy.deepcopy(config)
    broken["service"]["pipelines"]["metrics"]["receivers"] = ["otlp"]
    assert collector.collector_problems(broken) == [
        "config.connectors.spanmetrics: a connector must be an exporter of one pipeline and a receiver of another"
    ]


def test_a_connector_between_the_wrong_signals_is_reported(config):
    broken = copy.deepcopy(config)
    broken["service"]["pipelines"]["logs"]["receivers"] = ["otlp", "spanmetrics"]
    broken["service"]["pipelines"]["metrics"]["receivers"] = ["otlp"]
    assert collector.collector_problems(broken) == [
        "config.connectors.spanmetrics: connects traces to metrics pipelines"
    ]


def test_a_removed_default_still_in_a_pipeline_is_reported(config):
    broken = copy.deepcopy(config)
    broken["service"]["pipelines"]["traces"]["receivers"] = ["otlp", "jaeger"]
    assert collector.collector_problems(broken) == [
        "config.service.pipelines.traces.receivers: 'jaeger' is not defined in config"
    ]


def test_the_logging_exporter_is_reported(config):
    broken = copy.deepcopy(config)
    broken["exporters"]["logging"] = {"verbosity": "basic"}
    broken["service"]["pipelines"]["logs"]["exporters"] = ["logging"]
    assert collector.collector_problems(broken) == [
        "config.exporters.logging: the logging exporter is deprecated; use debug"
    ]
