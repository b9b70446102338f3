"""lib.AlertmanagerConfig: props checks, the object, and amtool on what the operator makes of it."""

from __future__ import annotations

import pytest
from cdk8s import App, Chart

from opsgen.generate.kinds import AlertmanagerConfig, AlertmanagerConfigProps, ObjectMeta, Receiver, SecretRef
from tests import prom_tools
from tests.support import manifests
from tests.support.chart import synth as lib_synth
from tests.support.operator import operator_config, receiver_json

META = ObjectMeta("routing", "monitoring")
RECEIVERS = (
    Receiver("default"),
    Receiver("page", pagerduty=SecretRef("pd", "routing-key")),
    Receiver("warn", slack=SecretRef("slack", "url"), channel="#alerts"),
)
# an equal on labels both alerts lack is true: the rule also requires them present
PRESENT = (
    {"name": "namespace", "value": ".+", "matchType": "=~"},
    {"name": "service", "value": ".+", "matchType": "=~"},
)
PROPS = AlertmanagerConfigProps(META, (("page", "page"), ("warn", "warn")), RECEIVERS, inhibit=(("page", "warn"),))


def synth(props: AlertmanagerConfigProps) -> dict:
    chart = Chart(App(), "test", disable_resource_name_hashes=True)
    AlertmanagerConfig(chart, props)
    (doc,) = lib_synth(chart)
    return doc


def test_object():
    doc = synth(PROPS)
    assert (doc["apiVersion"], doc["kind"]) == ("monitoring.coreos.com/v1alpha1", "AlertmanagerConfig")
    spec = doc["spec"]
    assert spec["route"]["receiver"] == "default"
    assert spec["route"]["groupBy"] == ["alertname", "namespace", "service"]
    assert spec["route"]["routes"][0] == {
        "receiver": "page",
        "matchers": [{"name": "severity", "value": "page", "matchType": "="}],
    }
    assert spec["receivers"] == [
        {"name": "default"},
        {
            "name": "page",
            "pagerdutyConfigs": [{"routingKey": {"name": "pd", "key": "routing-key"}, "sendResolved": True}],
        },
        {
            "name": "warn",
            "slackConfigs": [{"apiURL": {"name": "slack", "key": "url"}, "channel": "#alerts", "sendResolved": True}],
        },
    ]
    assert spec["inhibitRules"] == [
        {
            "sourceMatch": [{"name": "severity", "value": "page", "matchType": "="}, *PRESENT],
            "targetMatch": [{"name": "severity", "value": "warn", "matchType": "="}, *PRESENT],
            "equal": ["namespace", "service"],
        }
    ]
    manifests.assert_valid(doc)


@pytest.mark.parametrize(
    "make, message",
    [
        (
            lambda: Receiver("x", pagerduty=SecretRef("a", "b"), slack=SecretRef("a", "b"), channel="#c"),
            "one integration",
        ),
        (lambda: Receiver("x", slack=SecretRef("a", "b")), "needs a channel"),
        (lambda: SecretRef("", "b"), "name and a key"),
        (lambda: AlertmanagerConfigProps(META, (), (Receiver("other"),)), "default receiver 'default' is not defined"),
        (
            lambda: AlertmanagerConfigProps(META, (), (Receiver("default", pagerduty=SecretRef("a", "b")),)),
            "no integration",
        ),
        (
            lambda: AlertmanagerConfigProps(META, (("page", "nobody"),), (Receiver("default"),)),
            "undefined receiver 'nobody'",
        ),
        (lambda: AlertmanagerConfigProps(META, (), (Receiver("default"), Receiver("default"))), "names repeat"),
        (lambda: AlertmanagerConfigProps(ObjectMeta("r"), (), (Receiver("default"),)), "namespaced"),
        (
            lambda: AlertmanagerConfigProps(META, (), (Receiver("default"),), group_by=("bad-label",)),
            "not a label name",
        ),
    ],
)
def test_props_checks(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_operator_config_references_mounted_secret_files():
    config = operator_config(PROPS)
    receivers = {r["name"]: r for r in config["receivers"]}
    page = receivers["monitoring/routing/page"]["pagerduty_configs"][0]
    assert page == {"routing_key_file": "/etc/alertmanager/secrets/pd/routing-key", "send_resolved": True}
    assert config["route"]["routes"][0]["continue"] is True  # the operator forces it on first-level routes


@prom_tools.needs_amtool
def test_amtool_accepts_the_operator_config(tmp_path):
    result = prom_tools.check_alertmanager(operator_config(PROPS), tmp_path)
    assert result.returncode == 0, prom_tools.output(result)


@prom_tools.needs_amtool
@pytest.mark.parametrize(
    "labels, receiver",
    [
        ({"severity": "page"}, "monitoring/routing/page"),
        ({"severity": "warn"}, "monitoring/routing/warn"),
        ({"severity": "info"}, "monitoring/routing/default"),
        ({"alertname": "NoSeverity"}, "monitoring/routing/default"),
    ],
)
def test_amtool_routes_by_severity(tmp_path, labels, receiver):
    assert prom_tools.route(operator_config(PROPS), tmp_path, labels) == receiver


def test_routes_and_inhibit_rules_of_any_matchers():
    from opsgen.generate.kinds import InhibitRule, Matcher, Route

    props = AlertmanagerConfigProps(
        META,
        (Route("page", (Matcher("severity", "page|critical", "=~"),)),),
        RECEIVERS,
        inhibit=(InhibitRule((Matcher("severity", "page"),), (Matcher("severity", "warn"),), ("service",)),),
    )
    spec = props.spec()
    assert spec["route"]["routes"] == [
        {"receiver": "page", "matchers": [{"name": "severity", "value": "page|critical", "matchType": "=~"}]}
    ]
    assert spec["inhibitRules"][0]["targetMatch"][-1] == {"name": "service", "value": ".+", "matchType": "=~"}
    config = operator_config(props)
    assert config["route"]["routes"][0]["routes"] == [
        {"receiver": "monitoring/routing/page", "matchers": ['severity=~"page|critical"']}
    ]
    assert config["inhibit_rules"] == [
        {
            "source_matchers": ['severity="page"', 'service=~".+"'],
            "target_matchers": ['severity="warn"', 'service=~".+"'],
            "equal": ["service"],
        }
    ]
    with pytest.raises(ValueError, match="needs a matcher"):
        Route("page", ())
    with pytest.raises(ValueError, match="match type"):
        Matcher("severity", "x", "==")


def test_operator_config_merges_into_the_base_config():
    base = {
        "route": {"receiver": "null", "routes": [{"receiver": "null", "matchers": ['alertname="Watchdog"']}]},
        "receivers": [{"name": "null"}],
        "inhibit_rules": [{"target_matchers": ['alertname="InfoInhibitor"']}],
    }
    config = operator_config(PROPS, base)
    assert [r["receiver"] for r in config["route"]["routes"]] == ["monitoring/routing/default", "null"]  # ours first
    assert config["receivers"][0] == {"name": "null"} and len(config["receivers"]) == 4
    assert (
        config["inhibit_rules"][0] == {"target_matchers": ['alertname="InfoInhibitor"']}
        and len(config["inhibit_rules"]) == 2
    )
    assert base["route"]["routes"] == [{"receiver": "null", "matchers": ['alertname="Watchdog"']}]  # not modified


def test_messages_in_the_object_and_in_the_operator_config():
    from opsgen.generate.kinds import Message

    message = Message("T", "X", "S", "D", "R", runbook_link=True)
    page = Receiver("page", pagerduty=SecretRef("pd", "k"), message=message)
    warn = Receiver("warn", slack=SecretRef("s", "k"), channel="#c", message=message)
    assert page.to_json()["pagerdutyConfigs"][0]["details"] == [
        {"key": "summary", "value": "S"},
        {"key": "description", "value": "D"},
        {"key": "runbook_url", "value": "R"},
    ]
    assert receiver_json(page, "")["pagerduty_configs"][0]["links"] == [{"href": "R", "text": "Runbook"}]
    assert receiver_json(page, "")["pagerduty_configs"][0]["details"] == {
        "summary": "S",
        "description": "D",
        "runbook_url": "R",
    }
    assert receiver_json(warn, "")["slack_configs"][0]["actions"] == [{"type": "button", "text": "Runbook", "url": "R"}]
    assert warn.to_json()["slackConfigs"][0]["title"] == "T"
