"""``slo.latency``: its fields in the schema, and the objectives refused because no
thresholds can page within 10 minutes of a total breach while a burn rate of 1.5 or less
stays quiet (catalogue/burn.py, the success SLO's model; slo_checks.py refuses both SLOs'
objectives with one check), located at the value, with what to write instead."""

from __future__ import annotations

import pytest

from opsgen import pipeline
from opsgen.catalogue import burn, slo_checks
from opsgen.errors import CatalogueError

CATALOGUE = """\
platform: {name: demo}
environments:
  dev: {}
  prod: {}
services:
  - name: api
    namespace: apps
    team: web
    metrics: {port: http}
    slo: {latency: {threshold: 500ms, objective: OBJECTIVE}}
"""


def problems(write_catalogue, text: str) -> list[str]:
    path = write_catalogue(text)
    with pytest.raises(CatalogueError) as info:
        pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in info.value.problems]


def test_the_lowest_objective_is_the_success_slos():
    """At the defaults (30d, a 30s scrape, 2m of for) a total breach must page through the
    5m window at 0.9 at most, and 0.9 must be 1.5 x the budget or more: 40 %."""
    assert burn.lowest_objective(30, 30, slo_checks.page_for()) == 40


@pytest.mark.parametrize("objective", ["39.9", "30", "10.5"])
def test_an_objective_too_low_to_page_is_refused_at_its_line(write_catalogue, objective):
    (problem,) = problems(write_catalogue, CATALOGUE.replace("OBJECTIVE", objective))
    assert problem.startswith(
        f"services.yaml:10:39: slo.latency.objective ({objective}) is too low to page by burn rate: a total breach "
        "(every request slower than the threshold) spends its budget only"
    ), problem
    assert problem.endswith("write objective: 40 or more, or alert on the slow share with slo.latencyP95"), problem


@pytest.mark.parametrize("objective", ["40", "90.1", "95", "99", "99.99"])
def test_objectives_that_can_page_are_accepted(write_catalogue, objective):
    catalogue = pipeline.load_valid(str(write_catalogue(CATALOGUE.replace("OBJECTIVE", objective))))
    (api,) = catalogue.environments[0].services
    assert api.slo.latency.objective == float(objective)
    assert api.slo.histogram == "agent_task_duration_seconds"  # platform.metrics.duration


def test_an_environment_override_is_refused_where_it_is_written(write_catalogue):
    text = CATALOGUE.replace("OBJECTIVE", "99") + "    environments:\n      dev: {slo: {latency: {objective: 35}}}\n"
    (problem,) = problems(write_catalogue, text)
    assert problem.startswith("services.yaml:12:29: slo.latency.objective (35) is too low to page")


def test_a_zero_threshold_is_refused(write_catalogue):
    text = CATALOGUE.replace("OBJECTIVE", "99").replace("500ms", "0s")
    assert (
        "services.yaml:10:21: slo.latency.threshold (0s) must be more than zero: every request would be slow"
        in problems(write_catalogue, text)
    )


def test_threshold_and_objective_are_required_and_keys_checked(write_catalogue):
    text = CATALOGUE.replace("{threshold: 500ms, objective: OBJECTIVE}", "{objectiv: 99}")
    found = problems(write_catalogue, text)
    assert any("objectiv" in p and "objective" in p for p in found), found
    assert any("threshold" in p for p in found), found


def test_the_metric_defaults_to_the_platforms_duration_histogram(write_catalogue):
    text = CATALOGUE.replace("OBJECTIVE", "99").replace(
        "platform: {name: demo}", "platform: {name: demo, metrics: {duration: job_seconds}}"
    )
    catalogue = pipeline.load_valid(str(write_catalogue(text)))
    assert catalogue.environments[0].services[0].slo.histogram == "job_seconds"
    text = CATALOGUE.replace("objective: OBJECTIVE", "objective: 99, metric: http_request_duration_seconds")
    catalogue = pipeline.load_valid(str(write_catalogue(text)))
    assert catalogue.environments[0].services[0].slo.histogram == "http_request_duration_seconds"
