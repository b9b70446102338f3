"""opsgen.catalogue.validate: every problem at once, each at file:line:col of the key it is about."""

from __future__ import annotations

import textwrap

import pytest

from opsgen.catalogue import load, validate
from opsgen.errors import CatalogueError


def problems(text: str) -> list[str]:
    doc = load.load_text(textwrap.dedent(text), "services.yaml")
    with pytest.raises(CatalogueError) as caught:
        validate.validate(doc)
    return [str(p) for p in caught.value.problems]


def valid(text: str) -> None:
    validate.validate(load.load_text(textwrap.dedent(text), "services.yaml"))


NAME_RULE = "must be a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters"
DURATION_RULE = "must be a Prometheus duration such as 15s, 2m or 1h30m"


def test_the_bundled_catalogue_is_valid():
    from tests.conftest import BUNDLED, VALID

    validate.validate(load.load_file(str(BUNDLED)))
    valid(VALID)


def test_top_level_not_a_mapping():
    for text in ("- platform\n- services\n", "just text\n", "42\n"):
        assert problems(text) == [
            "services.yaml:1:1: the catalogue must be a mapping with the keys 'platform' and 'services'"
        ]


def test_missing_top_level_keys():
    assert problems("environments: {}\n") == [
        "services.yaml:1:1: the catalogue is missing the required key 'platform'",
        "services.yaml:1:1: the catalogue is missing the required key 'services'",
    ]


def test_empty_services():
    assert problems("platform: {name: demo}\nservices: []\n") == [
        "services.yaml:2:1: services must have at least 1 entry"
    ]


def test_wrong_types():
    assert problems(
        """\
        platform:
          name: 5
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http, interval: 30}
            scaling: {maxReplicas: "4", cpu: {targetUtilization: 50}}
        """
    ) == [
        "services.yaml:2:3: platform.name must be a string, not an integer (5)",
        "services.yaml:7:27: metrics.interval must be a duration with its unit, such as '30ms' or '30s', not a bare number (30)",
        "services.yaml:8:15: scaling.maxReplicas must be an integer, not a string ('4')",
    ]


def test_services_not_a_list():
    assert problems("platform: {name: demo}\nservices: {name: worker}\n") == [
        "services.yaml:2:1: services must be a list, not a mapping ({'name': 'worker'})"
    ]


def test_unknown_keys_with_suggestions():
    assert problems(
        """\
        platform:
          name: demo
          prometeus: {}
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http, intervall: 30s}
            scalling: {}
            zzz: 1
        """
    ) == [
        "services.yaml:3:3: unknown key 'prometeus' in platform; did you mean 'prometheus'?",
        "services.yaml:8:27: unknown key 'intervall' in metrics; did you mean 'interval'?",
        "services.yaml:9:5: unknown key 'scalling' in services[0] (worker); did you mean 'scaling'?",
        "services.yaml:10:5: unknown key 'zzz' in services[0] (worker)",
    ]


def test_unknown_top_level_key():
    assert problems("platform: {name: demo}\nservice: []\n") == [
        "services.yaml:1:1: the catalogue is missing the required key 'services'",
        "services.yaml:2:1: unknown key 'service'; did you mean 'services'?",
    ]


def test_invalid_names_and_durations():
    assert problems(
        """\
        platform:
          name: Demo_Platform
        services:
          - name: -worker
            namespace: apps
            team: core
            metrics: {port: http, interval: 30 seconds, scrapeTimeout: 1x}
        """
    ) == [
        f"services.yaml:2:3: platform.name ('Demo_Platform') {NAME_RULE}",
        f"services.yaml:4:5: name ('-worker') {NAME_RULE}",
        f"services.yaml:7:27: metrics.interval ('30 seconds') {DURATION_RULE}",
        f"services.yaml:7:49: metrics.scrapeTimeout ('1x') {DURATION_RULE}",
    ]


def test_name_too_long():
    long = "a" * 64
    assert problems(f"platform: {{name: {long}}}\nservices: [{{name: a, namespace: b, team: c}}]\n") == [
        f"services.yaml:1:12: platform.name ('{long}') {NAME_RULE}"
    ]


def test_min_greater_than_max():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              minReplicas: 5
              maxReplicas: 2
              cpu: {targetUtilization: 50}
        """
    ) == ["services.yaml:9:7: scaling.maxReplicas (2) must be >= scaling.minReplicas (5)"]


def test_max_replicas_zero():
    """The contract's own example: the column points at the key."""
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              minReplicas: 1
              maxReplicas: 0
              cpu: {targetUtilization: 50}
        """
    ) == ["services.yaml:9:7: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)"]


def test_scrape_timeout_longer_than_interval():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http, interval: 15s, scrapeTimeout: 20s}
          - name: other
            namespace: apps
            team: core
            metrics: {port: http, scrapeTimeout: 1m}
        """
    ) == [
        "services.yaml:7:42: metrics.scrapeTimeout (20s) must not exceed metrics.interval (15s)",
        "services.yaml:11:27: metrics.scrapeTimeout (1m) must not exceed metrics.interval (30s)",
    ]


def test_scaling_without_kafka_or_cpu():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            scaling: {maxReplicas: 3}
        """
    ) == ["services.yaml:7:5: scaling needs 'kafka' or 'cpu' (or remove 'scaling' for a fixed number of replicas)"]


def test_kafka_scaling_needs_bootstrap_servers():
    assert problems(
        """\
        platform:
          name: demo
          kafka: {auth: {secret: creds}}
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              maxReplicas: 3
              kafka: {topic: jobs, lagThreshold: 10}
        """
    ) == ["services.yaml:10:7: scaling.kafka needs platform.kafka.bootstrapServers (where KEDA reads consumer lag)"]


def test_kafka_fields_required():
    assert problems(
        """\
        platform:
          name: demo
          kafka: {bootstrapServers: "k.kafka:9092"}
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              maxReplicas: 3
              kafka: {lagThreshold: 0}
        """
    ) == [
        "services.yaml:10:7: scaling.kafka is missing the required key 'topic'",
        "services.yaml:10:15: scaling.kafka.lagThreshold (0) must be >= 1",
    ]


def test_duplicate_service_in_one_namespace():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
          - name: worker
            namespace: other
            team: core
          - name: worker
            namespace: apps
            team: other
        """
    ) == [
        "services.yaml:10:5: service 'worker' is defined twice in namespace 'apps' (first at line 4); names are unique per namespace"
    ]


def test_min_replicas_zero_with_only_cpu():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              minReplicas: 0
              maxReplicas: 2
              cpu: {targetUtilization: 50}
        """
    ) == [
        "services.yaml:8:7: scaling.minReplicas 0 needs 'kafka': an HPA cannot go below 1 and KEDA cannot scale to zero on cpu alone"
    ]


def test_min_replicas_zero_with_kafka_is_fine():
    valid(
        """\
        platform:
          name: demo
          kafka: {bootstrapServers: "k.kafka:9092"}
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              minReplicas: 0
              maxReplicas: 2
              kafka: {topic: jobs, lagThreshold: 10}
              cpu: {targetUtilization: 50}
            slo: {backlog: 100}
        """
    )


def test_backlog_without_kafka():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            slo: {backlog: 100}
        """
    ) == [
        "services.yaml:7:11: slo.backlog needs Kafka scaling (scaling.kafka): there is no consumer-group lag to watch"
    ]


def test_unknown_environment_in_override():
    assert problems(
        """\
        platform:
          name: demo
        environments:
          dev:
          prod: {}
        services:
          - name: worker
            namespace: apps
            team: core
            environments:
              prd: {team: x}
        """
    ) == [
        "services.yaml:11:7: environments.prd: unknown environment; did you mean 'prod'? (the catalogue's environments: dev, prod)"
    ]


def test_override_without_environments():
    assert problems(
        """\
        platform:
          name: demo
        services:
          - name: worker
            namespace: apps
            team: core
            environments:
              prod: {team: x}
        """
    ) == ["services.yaml:8:7: environments.prod: unknown environment; declare it under the top-level 'environments'"]


def test_override_may_not_rename():
    assert problems(
        """\
        platform:
          name: demo
        environments:
          prod: {}
        services:
          - name: worker
            namespace: apps
            team: core
            environments:
              prod: {name: other, namespace: elsewhere}
        """
    ) == [
        "services.yaml:10:14: unknown key 'name' in environments.prod",
        "services.yaml:10:27: unknown key 'namespace' in environments.prod",
    ]


def test_errors_inside_an_override_are_located_at_the_override():
    assert problems(
        """\
        platform:
          name: demo
        environments:
          dev:
          prod: {}
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http, interval: 30s}
            scaling:
              minReplicas: 1
              maxReplicas: 4
              cpu: {targetUtilization: 50}
            environments:
              dev:
                scaling:
                  minReplicas: 3
                  maxReplicas: 2
                metrics: {interval: 5s, scrapeTimeout: 10s}
              prod:
                scaling: {minReplicas: 0}
                slo: {backlog: 10}
        """
    ) == [
        "services.yaml:19:11: scaling.maxReplicas (2) must be >= scaling.minReplicas (3) (in environment dev)",
        "services.yaml:20:33: metrics.scrapeTimeout (10s) must not exceed metrics.interval (5s) (in environment dev)",
        "services.yaml:22:19: scaling.minReplicas 0 needs 'kafka': an HPA cannot go below 1 and KEDA cannot scale to zero on cpu alone (in environment prod)",
        "services.yaml:23:15: slo.backlog needs Kafka scaling (scaling.kafka): there is no consumer-group lag to watch (in environment prod)",
    ]


def test_problems_an_override_causes_at_the_base_name_the_environment():
    """dev and staging shorten interval: the base scrapeTimeout is too long there only.
    A problem of every environment is reported once, without a suffix."""
    assert problems(
        """\
        platform:
          name: demo
        environments:
          dev:
          staging:
          prod: {}
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http, interval: 30s, scrapeTimeout: 20s}
            scaling: {maxReplicas: 3, cpu: {targetUtilization: 50}}
            environments:
              dev:
                metrics: {interval: 10s}
                scaling: {minReplicas: 5}
              staging:
                metrics: {interval: 10s}
          - name: other
            namespace: apps
            team: core
            scaling: {maxReplicas: 3, minReplicas: 0, cpu: {targetUtilization: 50}}
        """
    ) == [
        "services.yaml:11:42: metrics.scrapeTimeout (20s) must not exceed metrics.interval (10s) (in environments dev, staging)",
        "services.yaml:12:15: scaling.maxReplicas (3) must be >= scaling.minReplicas (5) (in environment dev)",
        "services.yaml:22:31: scaling.minReplicas 0 needs 'kafka': an HPA cannot go below 1 and KEDA cannot scale to zero on cpu alone",
    ]


def test_structural_errors_inside_an_override():
    assert problems(
        """\
        platform:
          name: demo
        environments:
          prod: {}
        services:
          - name: worker
            namespace: apps
            team: core
            environments:
              prod:
                scaling: {maxReplicas: 0}
                metrics: {interval: soon}
        """
    ) == [
        "services.yaml:11:9: scaling needs 'kafka' or 'cpu' (or remove 'scaling' for a fixed number of replicas)",
        "services.yaml:11:19: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)",
        "services.yaml:12:9: metrics is missing the required key 'port'",
        f"services.yaml:12:19: environments.prod.metrics.interval ('soon') {DURATION_RULE}",
    ]


def test_override_that_completes_a_service_is_valid_per_environment():
    """An override may supply what the merged service needs (metrics.port in prod only)."""
    valid(
        """\
        platform:
          name: demo
        environments:
          dev:
          prod: {}
        services:
          - name: worker
            namespace: apps
            team: core
            environments:
              prod: {metrics: {port: http}}
        """
    )


def test_bad_environment_name_and_max_severity():
    """A bad key is located at the key itself, not at the mapping holding it."""
    assert problems(
        """\
        platform:
          name: demo
        environments:
          Prod: {maxSeverity: critical}
        services:
          - name: worker
            namespace: apps
            team: core
            environments: {Dev_: {}}
            alerts: [{name: A, expr: up, severity: page, summary: s, labels: {9x: y}}]
        """
    ) == [
        f"services.yaml:4:3: environments ('Prod') {NAME_RULE}",
        "services.yaml:4:10: environments.Prod.maxSeverity must be one of page, warn, info (got 'critical')",
        f"services.yaml:9:20: environments ('Dev_') {NAME_RULE}",
        "services.yaml:10:71: alerts[0].labels ('9x') must be a Prometheus label name: letters, digits and '_', not starting with a digit or '__'",
    ]


def test_all_problems_are_reported_at_once():
    found = problems(
        """\
        platform:
          name: Demo
        services:
          - name: worker
            namespace: apps
            team: core
            scaling: {maxReplicas: 0, cpu: {targetUtilization: 50}}
            metrics: {port: http, intervall: 30s}
        """
    )
    assert found == [
        f"services.yaml:2:3: platform.name ('Demo') {NAME_RULE}",
        "services.yaml:7:15: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)",
        "services.yaml:8:27: unknown key 'intervall' in metrics; did you mean 'interval'?",
    ]


def test_rules_in_several_services_are_all_reported():
    found = problems(
        """\
        platform:
          name: demo
        services:
          - name: a
            namespace: apps
            team: core
            scaling: {maxReplicas: 3}
          - name: b
            namespace: apps
            team: core
            slo: {backlog: 3}
          - name: c
            namespace: apps
            team: core
            metrics: {port: http, interval: 10s, scrapeTimeout: 11s}
        """
    )
    assert [line.split(": ")[0] for line in found] == [
        "services.yaml:7:5",
        "services.yaml:11:11",
        "services.yaml:15:42",
    ]


def test_long_values_are_cut_short():
    items = ", ".join(f"item{i}" for i in range(500))
    (first, second) = problems(f"platform: [{items}]\nservices: []\n")
    assert first.startswith("services.yaml:1:1: platform must be a mapping, not a list (['item0', 'item1'")
    assert first.endswith("...])") and len(first) < 200
    assert second == "services.yaml:2:1: services must have at least 1 entry"


def test_one_problem_is_one_line_even_with_newlines_in_keys():
    (only,) = problems(
        'platform: {name: demo, "multi\\nline\\u2028key": 1}\nservices: [{name: a, namespace: b, team: c}]\n'
    )
    assert only == "services.yaml:1:24: unknown key 'multi\\nline\\u2028key' in platform"
    assert len(only.splitlines()) == 1


def test_zero_polling_interval():
    """Found by tests/test_properties.py: validate accepted it and synth crashed."""
    assert problems(
        """\
        platform:
          name: demo
          kafka: {bootstrapServers: "k.kafka:9092"}
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              maxReplicas: 3
              kafka: {topic: jobs, lagThreshold: 10}
              pollingInterval: 0s
              cooldownPeriod: 0s
        """
    ) == ["services.yaml:11:7: scaling.pollingInterval (0s) must be at least 1s"]


def test_the_contracts_own_example_message():
    """catalogue-spec.md: services.yaml:14:7: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)"""
    assert problems(
        """\
        platform:
          name: demo
          kafka: {bootstrapServers: "k.kafka:9092"}
        services:
          - name: worker
            namespace: apps
            team: core
            scaling:
              minReplicas: 1
              maxReplicas: 0
              kafka: {topic: jobs, lagThreshold: 10}
        """
    ) == ["services.yaml:10:7: scaling.maxReplicas (0) must be >= scaling.minReplicas (1)"]


def test_max_replicas_zero_with_min_zero():
    assert problems(
        """\
        platform:
          name: demo
          kafka: {bootstrapServers: "k.kafka:9092"}
        services:
          - name: worker
            namespace: apps
            team: core
            scaling: {minReplicas: 0, maxReplicas: 0, kafka: {topic: jobs, lagThreshold: 10}}
        """
    ) == ["services.yaml:8:31: scaling.maxReplicas (0) must be >= 1"]


def test_rules_still_run_beside_structural_problems():
    """A typo in platform or in one field does not hide another service's broken rule."""
    assert problems(
        """\
        platform:
          name: Demo
          kafka: {bootstrapServers: "k.kafka:9092"}
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http, intervall: 15s}
            scaling: {minReplicas: 3, maxReplicas: 2, kafka: {topic: jobs, lagThreshold: 10}}
        """
    ) == [
        f"services.yaml:2:3: platform.name ('Demo') {NAME_RULE}",
        "services.yaml:8:27: unknown key 'intervall' in metrics; did you mean 'interval'?",
        "services.yaml:9:31: scaling.maxReplicas (2) must be >= scaling.minReplicas (3)",
    ]


# --- messages: one mistake, one line that says what to do ------------------------------


def test_a_misspelt_required_key_is_reported_once():
    assert problems(
        """\
        platform:
          nmae: demo
        services:
          - nmae: worker
            namespace: apps
            team: core
            scaling: {maxReplica: 3, cpu: {targetUtilization: 50}}
        """
    ) == [
        "services.yaml:2:3: unknown key 'nmae' in platform; did you mean 'name'?",
        "services.yaml:4:5: unknown key 'nmae' in services[0]; did you mean 'name'?",
        "services.yaml:7:15: unknown key 'maxReplica' in scaling; did you mean 'maxReplicas'?",
    ]


def test_a_missing_key_without_a_lookalike_is_still_missing():
    assert problems("platform: {name: demo}\nservices:\n  - {name: w, namespace: a, zzz: 1}\n") == [
        "services.yaml:3:5: services[0] (w) is missing the required key 'team'",
        "services.yaml:3:29: unknown key 'zzz' in services[0] (w)",
    ]


def test_did_you_mean_ignores_case():
    assert problems(
        """\
        platform: {name: demo}
        services:
          - name: worker
            namespace: apps
            team: core
            Scaling: {maxReplicas: 3, cpu: {targetUtilization: 50}}
            SLO: {successRate: 99}
        """
    ) == [
        "services.yaml:6:5: unknown key 'Scaling' in services[0] (worker); did you mean 'scaling'?",
        "services.yaml:7:5: unknown key 'SLO' in services[0] (worker); did you mean 'slo'?",
    ]


def test_an_unknown_environment_lists_the_known_ones():
    assert problems(
        """\
        platform: {name: demo}
        environments: {dev: {}, staging: {}, prod: {}}
        services:
          - name: worker
            namespace: apps
            team: core
            environments: {qa: {}}
        """
    ) == ["services.yaml:7:20: environments.qa: unknown environment (the catalogue's environments: dev, staging, prod)"]


def test_service_level_errors_name_the_service():
    assert problems(
        """\
        platform: {name: demo}
        services:
          - {name: api, namespace: web, team: web}
          - name: coding-agent
            namespace: agents
            scalling: {}
          - just text
        """
    ) == [
        "services.yaml:4:5: services[1] (coding-agent) is missing the required key 'team'",
        "services.yaml:6:5: unknown key 'scalling' in services[1] (coding-agent); did you mean 'scaling'?",
        "services.yaml:7:5: services[2] must be a mapping, not a string ('just text')",
    ]


def test_a_missing_key_is_reported_once_even_with_environment_overrides():
    assert problems("""\
        platform: {name: demo}
        environments: {dev: {}, prod: {}}
        services:
          - name: worker
            namespace: apps
            metrics: {port: http}
            environments:
              prod: {metrics: {port: web}}
        """) == ["services.yaml:4:5: services[0] (worker) is missing the required key 'team'"]


def test_a_bare_number_where_a_duration_belongs_suggests_the_unit():
    assert problems("""\
        platform: {name: demo}
        services:
          - name: worker
            namespace: apps
            team: core
            metrics: {port: http}
            slo: {latencyP95: 500}
        """) == [
        "services.yaml:7:11: slo.latencyP95 must be a duration with its unit, such as '500ms' or '500s', not a bare number (500)"
    ]
