"""lib.PrometheusRule: props checks, the object, and promtool on its spec."""

from __future__ import annotations

import pytest
from cdk8s import App, Chart

from opsgen.generate.kinds import ObjectMeta, PrometheusRule, PrometheusRuleProps, Rule, RuleGroup
from tests import prom_tools
from tests.support import manifests
from tests.support.chart import synth as lib_synth

META = ObjectMeta("svc-alerts", "apps", {"release": "prometheus"})
RECORD = Rule(record="job:up:sum", expr="sum by (job) (up)")
ALERT = Rule(
    alert="Down",
    expr="job:up:sum == 0",
    for_="5m",
    labels={"severity": "warn"},
    annotations={"summary": "down", "description": "{{ $labels.job }} is down ({{ $value }})"},
)


def synth(props: PrometheusRuleProps) -> dict:
    chart = Chart(App(), "test", disable_resource_name_hashes=True)
    PrometheusRule(chart, props)
    (doc,) = lib_synth(chart)
    return doc


def test_object_and_spec():
    doc = synth(PrometheusRuleProps(META, (RuleGroup("g", (RECORD, ALERT)),)))
    assert doc["apiVersion"] == "monitoring.coreos.com/v1" and doc["kind"] == "PrometheusRule"
    assert doc["metadata"] == {
        "name": "svc-alerts",
        "namespace": "apps",
        "labels": {"release": "prometheus"},
        "annotations": {"argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true"},
    }
    assert doc["spec"] == {
        "groups": [
            {
                "name": "g",
                "rules": [
                    {"record": "job:up:sum", "expr": "sum by (job) (up)"},
                    {
                        "alert": "Down",
                        "expr": "job:up:sum == 0",
                        "for": "5m",
                        "labels": {"severity": "warn"},
                        "annotations": {"summary": "down", "description": "{{ $labels.job }} is down ({{ $value }})"},
                    },
                ],
            }
        ]
    }
    manifests.assert_valid(doc)


def test_zero_for_and_empty_maps_are_omitted():
    assert Rule(alert="A", expr="up == 0", for_="0s").to_json() == {"alert": "A", "expr": "up == 0"}


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Rule(expr="up"), "exactly one of alert and record"),
        (lambda: Rule(alert="A", record="b", expr="up"), "exactly one of alert and record"),
        (lambda: Rule(alert="A", expr="sum(up"), "does not parse"),
        (lambda: Rule(record="not a name", expr="up"), "is not a metric name"),
        (lambda: Rule(record="r", expr="up", for_="5m"), "no for or annotations"),
        (lambda: Rule(alert="A", expr="up", for_="5 minutes"), "is not a duration"),
        (lambda: Rule(alert="A", expr="up", labels={"bad-label": "x"}), "is not a label name"),
        (lambda: RuleGroup("g", ()), "has no rules"),
        (lambda: PrometheusRuleProps(META, ()), "at least one rule group"),
        (lambda: PrometheusRuleProps(ObjectMeta("x"), (RuleGroup("g", (RECORD,)),)), "namespaced"),
        (lambda: PrometheusRuleProps(META, (RuleGroup("g", (RECORD,)), RuleGroup("g", (ALERT,)))), "names repeat"),
    ],
)
def test_props_checks(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@prom_tools.needs_promtool
def test_spec_is_a_rule_file_promtool_accepts(tmp_path):
    props = PrometheusRuleProps(META, (RuleGroup("g", (RECORD, ALERT)),))
    result = prom_tools.check_rules(synth(props)["spec"], tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_promtool
def test_promtool_rejects_a_broken_template(tmp_path):
    """The check is real: a template error fails it."""
    broken = Rule(alert="A", expr="up == 0", annotations={"summary": "{{ $labels.job "})
    result = prom_tools.check_rules(PrometheusRuleProps(META, (RuleGroup("g", (broken,)),)).spec(), tmp_path)
    assert result.returncode != 0
