"""catalogue/slo_checks.py through validate: located errors for an SLO period that is not
whole days in range, an objective too low to page by burn rate, a scrape interval that
leaves fewer than 4 samples in the shortest window, a failure regex that does not compile;
and the new fields valid per environment."""

from __future__ import annotations

import pytest

from opsgen import pipeline
from opsgen.errors import CatalogueError

BASE = """\
platform: {name: p%s}
environments: {dev: {}, prod: {}}
services:
  - name: a
    namespace: n
    team: t
    metrics: {port: http%s}
    slo: {successRate: %s%s}
"""


def problems(write_catalogue, platform="", metrics="", rate="99", slo="") -> list[str]:
    path = write_catalogue(BASE % (platform, metrics, rate, slo))
    with pytest.raises(CatalogueError) as info:
        pipeline.load_valid(str(path))
    return [str(p).replace(str(path), "services.yaml") for p in info.value.problems]


def test_period_must_be_whole_days_in_range(write_catalogue):
    assert problems(write_catalogue, platform=", slo: {period: 100d}") == [
        "services.yaml:1:35: platform.slo.period (100d) must be whole days from 1d to 90d, such as 30d or 28d"
    ]
    assert problems(write_catalogue, platform=", slo: {period: 36h}")[0].endswith(
        "(36h) must be whole days from 1d to 90d, such as 30d or 28d"
    )


def test_an_objective_too_low_to_page_is_refused_at_its_line(write_catalogue):
    assert problems(write_catalogue, rate="30") == [
        "services.yaml:8:11: slo.successRate (30) is too low to page by burn rate: a total outage spends its budget only "
        "1.43 times as fast as allowed, and no window pages it within 10 minutes at a burn rate above 1.5 (docs/alerts.md); "
        "write successRate: 40 or more, or alert on the failure ratio with a catalogue alert"
    ]


def test_an_objective_refused_in_one_environment_says_which(write_catalogue):
    text = BASE % ("", "", "99", "") + "    environments: {dev: {slo: {successRate: 20}}}\n"
    path = write_catalogue(text)
    with pytest.raises(CatalogueError) as info:
        pipeline.load_valid(str(path))
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{path}:9:32: slo.successRate (20) is too low") and str(problem).endswith(
        "(in environment dev)"
    )


def test_an_interval_that_blinds_the_shortest_window(write_catalogue):
    assert problems(write_catalogue, metrics=", interval: 5m") == [
        "services.yaml:7:27: metrics.interval (5m) leaves fewer than 4 samples in the 5m window the service's SLO rules "
        "read, so rate() there sees too little or nothing; the largest interval allowed is 1m15s"
    ]


def test_a_failure_regex_that_does_not_compile(write_catalogue):
    found = problems(write_catalogue, slo=', requests: {metric: http_requests_total, failures: {code: "5(.."}}')
    assert found == [
        "services.yaml:8:79: slo.requests.failures.code: '5(..' is not a regular expression: "
        "missing ), unterminated subpattern at position 1"
    ]


def test_the_new_fields_are_valid_per_environment(write_catalogue):
    text = BASE % (
        ", slo: {period: 28d}",
        ", interval: 15s",
        "99.9",
        ', requests: {metric: http_requests_total, failures: {code: "5.."}}',
    )
    text += "    environments: {prod: {slo: {minFailures: 3, requests: {failures: {code: '50[23]'}}}}}\n"
    catalogue = pipeline.load_valid(str(write_catalogue(text)))
    dev, prod = (env.services[0].slo for env in catalogue.environments)
    assert catalogue.platform.slo_days == 28
    assert (dev.requests_metric, dev.failures, dev.min_failures) == ("http_requests_total", (("code", "5.."),), 1)
    assert (prod.requests_metric, prod.failures, prod.min_failures) == ("http_requests_total", (("code", "50[23]"),), 3)
