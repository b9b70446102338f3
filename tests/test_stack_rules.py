"""One alert per condition: kube-prometheus-stack's default rules against opsgen's generated
alerts, at the chart version helmfile.yaml pins.

The chart's rule names are data read from its source at that tag
(tests/data/kube-prometheus-stack-rules.yaml says where from). Every generated alert is
reviewed here: its duplicate among the stack's rules, if any (conventions.STACK_DUPLICATES:
that rule is switched off in the chart values), and the stack's rules nearest to it and why
they differ: a new generated alert, or a new chart version (new rules), fails until
someone has compared them."""

from __future__ import annotations

from pathlib import Path

import yaml

from opsgen import conventions as conv
from opsgen.catalogue import generated_alerts
from opsgen.stack import helmfile as helmfile_module
from opsgen.stack import prometheus
from tests.support import helm_values

REPO = Path(__file__).resolve().parent.parent
CHART_RULES = yaml.safe_load((REPO / "tests/data/kube-prometheus-stack-rules.yaml").read_text(encoding="utf-8"))
STACK_ALERTS = {name for names in CHART_RULES["alerts"].values() for name in names}

# Every generated alert -> (the stack's rules about the same object that are not its duplicate,
# why each is a different condition); its duplicate, if any, is in conv.STACK_DUPLICATES
REVIEWED = {
    conv.ALERT_BURN_FAST: ((), "the stack's only burn-rate rule, KubeAPIErrorBudgetBurn, is the API server's SLO"),
    conv.ALERT_BURN_SLOW: ((), "as ErrorBudgetBurnFast"),
    conv.ALERT_LATENCY: ((), "the stack has no rule on a service's request latency"),
    conv.ALERT_LATENCY_BURN_FAST: (
        (),
        "KubeAPIErrorBudgetBurn is the API server's SLO, KubeletPodStartUpLatencyHigh the kubelet's",
    ),
    conv.ALERT_LATENCY_BURN_SLOW: ((), "as LatencyBudgetBurnFast"),
    conv.ALERT_BACKLOG: ((), "the stack has no Kafka rules"),
    conv.ALERT_KEDA_ERRORS: ((), "the stack has no KEDA rules"),
    conv.ALERT_SLO_METRIC_ABSENT: (
        ("TargetDown",),
        "TargetDown is about targets down; this one fires while they are up",
    ),
    conv.ALERT_AT_MAX: (
        ("KubeHpaReplicasMismatch",),
        "it fires while desired != current replicas strictly between min and max: never at the maximum",
    ),
    conv.ALERT_TARGET_DOWN: ((), "TargetDown is its duplicate"),
}


def pinned_version() -> str:
    release = helmfile_module.find_release(helm_values.helmfile(REPO)["releases"], prometheus.CHART)
    return str(release["version"])


def test_the_rule_list_is_of_the_pinned_chart_version():
    """Bumping the chart in helmfile.yaml fails here until the list is read again at the
    new tag (and the new rules compared with opsgen's)."""
    assert CHART_RULES["chart"] == prometheus.CHART
    assert str(CHART_RULES["version"]) == pinned_version()
    assert CHART_RULES["disabledKey"] == conv.STACK_DISABLED_RULES


def test_every_generated_alert_is_a_known_duplicate_or_reviewed_as_distinct():
    assert set(generated_alerts.NAMES) == set(REVIEWED), (
        "compare the new alert with tests/data/kube-prometheus-stack-rules.yaml"
    )
    for rule, ours in conv.STACK_DUPLICATES.items():
        assert rule not in REVIEWED[ours][0], f"{rule} is {ours}'s duplicate, not a distinct neighbour"


def test_duplicates_and_reviewed_neighbours_are_rules_of_the_chart():
    neighbours = {name for near, _ in REVIEWED.values() for name in near}
    assert set(conv.STACK_DUPLICATES) | neighbours <= STACK_ALERTS
    assert set(conv.STACK_DUPLICATES.values()) <= set(generated_alerts.NAMES)


def test_no_generated_alert_takes_the_name_of_a_stack_rule():
    assert not set(generated_alerts.NAMES) & STACK_ALERTS


def test_the_chart_values_switch_off_exactly_the_duplicates():
    release = helmfile_module.find_release(helm_values.helmfile(REPO)["releases"], prometheus.CHART)
    values = helm_values.static_values(REPO, release)
    disabled = values["defaultRules"]["disabled"]
    assert disabled == {rule: True for rule in conv.STACK_DUPLICATES}


def test_the_mapping_is_documented():
    text = (REPO / "docs/alerts.md").read_text(encoding="utf-8")
    for rule, ours in conv.STACK_DUPLICATES.items():
        assert f"| `{rule}` | `{ours}` |" in text
