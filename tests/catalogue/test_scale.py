"""Validation does work linear in the catalogue, counted in function calls
(never timed), and 'did you mean' compares with a bounded number of names (issue 14)."""

from __future__ import annotations

import sys

import pytest
import yaml

from bench.catalogue import catalogue as bench_catalogue
from opsgen import errors
from opsgen.catalogue import load, promql, secrets
from opsgen.errors import CatalogueError


def _calls(text: str) -> int:
    """Python function calls made to load, validate and check ``text``."""
    from opsgen import pipeline

    for cached in (secrets.detect, promql.parse, promql._shape_syntax_error, errors._closest):
        cached.cache_clear()
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    path = _write(text)
    sys.setprofile(profile)
    try:
        pipeline.load_valid(str(path))
    except CatalogueError:
        pass
    finally:
        sys.setprofile(None)
    return count


_FILES: list = []


def _write(text: str):
    import tempfile
    from pathlib import Path

    directory = Path(tempfile.mkdtemp(prefix="opsgen-scale-"))
    _FILES.append(directory)
    path = directory / "services.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _valid(n: int) -> str:
    return yaml.safe_dump(bench_catalogue(n, 3), sort_keys=False)


def _every_service_wrong(n: int) -> str:
    data = bench_catalogue(n, 1)
    for service in data["services"]:
        service["scalling"] = 1  # unknown key: a 'did you mean' each
    data["services"][0]["name"] = "Bad Name"
    return yaml.safe_dump(data, sort_keys=False)


def _every_alert_misspelt(n: int) -> str:
    """A metric name misspelt in every service's alert, n metrics to suggest from."""
    data = bench_catalogue(n, 1)
    for i, service in enumerate(data["services"]):
        service["metrics"]["exports"] = [f"metric_{i}_total"]
        service["alerts"] = [{"name": f"A{i}", "expr": f"metric_{i}_totl > 0", "severity": "warn", "summary": "s"}]
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    "make",
    [_valid, _every_service_wrong, _every_alert_misspelt],
    ids=["valid", "an error per service", "a misspelt metric per service"],
)
def test_validation_is_linear_in_the_number_of_services(make):
    small, large = _calls(make(150)), _calls(make(600))
    assert large < 4.6 * small, (small, large)  # 4x the services: 4x the work (plus a constant)


def test_did_you_mean_compares_with_a_bounded_number_of_names(monkeypatch):
    import difflib

    sizes: list[int] = []
    real = difflib.get_close_matches

    def counting(word, possibilities, *args, **kwargs):
        sizes.append(len(possibilities))
        return real(word, possibilities, *args, **kwargs)

    monkeypatch.setattr(errors.difflib, "get_close_matches", counting)
    errors._closest.cache_clear()
    names = frozenset(f"service_metric_{i}_total" for i in range(5000))
    assert errors.did_you_mean("service_metric_4321_totl", names) == "; did you mean 'service_metric_4321_total'?"
    assert errors.did_you_mean("xservice_metric_17_total", names) == "; did you mean 'service_metric_17_total'?"
    assert errors.did_you_mean("service_metric_4321_totl", names) == "; did you mean 'service_metric_4321_total'?"
    assert len(sizes) == 2  # the repeated word was not compared again
    assert max(sizes) <= errors.SUGGEST_POOL


def test_small_candidate_lists_are_compared_whole():
    assert errors.did_you_mean("scalling", ["scaling", "slo", "metrics"]) == "; did you mean 'scaling'?"
    assert errors.did_you_mean("zzz", ["scaling"]) == ""


def teardown_module():
    import shutil

    for directory in _FILES:
        shutil.rmtree(directory, ignore_errors=True)


def test_services_times_environments_is_bounded():
    from opsgen.catalogue import validate

    envs = "".join(f"  e{i}: {{}}\n" for i in range(1001))
    services = "".join(f"  - {{name: s{i}, namespace: ns, team: t}}\n" for i in range(100))
    text = f"platform: {{name: p}}\nenvironments:\n{envs}services:\n{services}"
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(text, "services.yaml"))
    assert [str(p) for p in caught.value.problems] == [
        "services.yaml:2:1: 100 services in 1,001 environments make 100,100 service-environment pairs; "
        "opsgen builds at most 100,000: split the catalogue"
    ]
