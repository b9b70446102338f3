"""Golden end-to-end tests: each ``tests/golden/<case>/services.yaml`` is synthesized
with the CLI (``opsgen.cli.main``) and compared byte for byte with
``tests/golden/<case>/expected/``; every generated object is validated strictly
(tests/support/manifests.py).

When a change to the generators is intended, refresh every case with

    OPSGEN_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py

which rewrites each ``expected/`` directory, then review the diff with
``git diff tests/golden`` before committing it. The ``bundled`` case is the
example catalogue the repository first shipped with, kept here as a fixture of
the tests' own: the repository's ``services.yaml`` is the platform team's data,
and tests/test_repository.py checks only that ``dist/`` is what it compiles to.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from opsgen import conventions
from opsgen.cli import main
from tests.support import manifests

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "services.yaml").is_file())
REGEN = os.environ.get("OPSGEN_REGEN_GOLDEN") == "1"
HEADER = (conventions.HEADER + "\n").encode("utf-8")
HASH_SUFFIX = re.compile(r"-[0-9a-f]{8}$")  # cdk8s names unnamed objects <chart>-<id>-<8 hex>


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    """Each case synthesized once (regenerating expected/ first when asked)."""
    out: dict[str, Path] = {}
    for case in CASES:
        target = tmp_path_factory.mktemp(case) / "out"
        code = main(["synth", "-c", str(GOLDEN / case / "services.yaml"), "-o", str(target)])
        assert code == 0, f"synth of golden case {case} failed"
        if REGEN:
            expected = GOLDEN / case / "expected"
            shutil.rmtree(expected, ignore_errors=True)
            shutil.copytree(target, expected)
        out[case] = target
    return out


def documents(root: Path) -> list[tuple[str, dict]]:
    return [(str(p.relative_to(root)), d) for p in sorted(root.rglob("*.yaml")) for d in manifests.load_documents(p)]


def test_cases_are_present():
    assert {"bundled", "single-env", "pod-monitor-kafka-auth", "overrides", "argocd"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_output_matches_expected(synthesized, case):
    expected_dir = GOLDEN / case / "expected"
    assert expected_dir.is_dir(), f"{expected_dir} is missing; run with OPSGEN_REGEN_GOLDEN=1"
    actual, expected = tree(synthesized[case]), tree(expected_dir)
    hint = f"golden case {case} differs; if the change is intended: OPSGEN_REGEN_GOLDEN=1 pytest tests/test_golden.py"
    assert sorted(actual) == sorted(expected), hint
    for path in expected:
        assert actual[path] == expected[path], f"{path}: {hint}"


@pytest.mark.parametrize("case", CASES)
def test_every_object_is_valid(synthesized, case):
    assert manifests.assert_tree_valid(synthesized[case]) > 0


@pytest.mark.parametrize("case", CASES)
def test_synth_is_deterministic(synthesized, case, tmp_path):
    again = tmp_path / "again"
    assert main(["synth", "-c", str(GOLDEN / case / "services.yaml"), "-o", str(again)]) == 0
    assert tree(again) == tree(synthesized[case])


@pytest.mark.parametrize("case", CASES)
def test_every_file_has_the_header(synthesized, case):
    for path, body in tree(synthesized[case]).items():
        assert body.startswith(HEADER + b"# source: services.yaml\n"), path
        assert body.endswith(b"\n") and b"\t" not in body, path


@pytest.mark.parametrize("case", CASES)
def test_names_have_no_cdk8s_hash(synthesized, case):
    raw = yaml.safe_load((GOLDEN / case / "services.yaml").read_text())
    services = {s["name"] for s in raw["services"]}
    namespaces = {s["namespace"] for s in raw["services"]}
    exact = {
        "Namespace": namespaces,
        "TriggerAuthentication": {conventions.KAFKA_TRIGGER_AUTH},
        "ServiceMonitor": services,
        "PodMonitor": services,
        "ScaledObject": services,
        "HorizontalPodAutoscaler": services,
    }
    for path, doc in documents(synthesized[case]):
        name = doc["metadata"]["name"]
        assert not HASH_SUFFIX.search(name), f"{path}: {doc['kind']} {name} carries a cdk8s hash"
        assert "." not in name and "_" not in name, f"{path}: a chart id leaked into the name {name}"
        if doc["kind"] in exact:
            assert name in exact[doc["kind"]], f"{path}: unexpected {doc['kind']} name {name}"


@pytest.mark.parametrize("case", CASES)
def test_no_secrets_or_credentials(synthesized, case):
    for path, doc in documents(synthesized[case]):
        assert doc["kind"] != "Secret", path
        assert "data" not in doc or doc["kind"] == "ConfigMap", path
        assert "stringData" not in doc, path
        if doc["kind"] == "TriggerAuthentication":
            for ref in doc["spec"]["secretTargetRef"]:
                assert set(ref) == {"parameter", "name", "key"}, f"{path}: {ref}"
            assert set(doc["spec"]) == {"secretTargetRef"}, path
        if doc["kind"] == "ScaledObject":
            for trigger in doc["spec"]["triggers"]:
                inline = {"sasl", "username", "password", "tls", "ca", "cert", "key"} & set(trigger["metadata"])
                assert not inline, f"{path}: credentials inline in trigger metadata: {inline}"


@pytest.mark.parametrize("case", CASES)
def test_one_directory_per_environment(synthesized, case):
    raw = yaml.safe_load((GOLDEN / case / "services.yaml").read_text())
    envs = list(raw.get("environments") or {})
    top = {p.name for p in synthesized[case].iterdir()}
    if (raw["platform"].get("argocd") or {}).get("repoURL"):  # beside them, the Argo CD objects
        assert conventions.ARGOCD_DIR in top
        top.remove(conventions.ARGOCD_DIR)
    else:
        assert conventions.ARGOCD_DIR not in top, "without platform.argocd, nothing Argo CD is written"
    if envs:
        assert top == set(envs)
    else:
        namespaces = {s["namespace"] for s in raw["services"]} | {
            (raw["platform"].get("prometheus") or {}).get("namespace", "monitoring")
        }
        assert top <= namespaces, "without environments, output goes directly into the output directory"


# --- what each case is about ------------------------------------------------


def objects(root: Path, rel: str) -> dict[str, dict]:
    return {d["kind"]: d for d in manifests.load_documents(root / rel)}


def test_single_env_writes_directly_into_out(synthesized):
    root = synthesized["single-env"]
    files = set(tree(root))
    assert {"front/_namespace.yaml", "front/web.yaml", "jobs/_namespace.yaml"} <= files
    assert "jobs/batch.yaml" not in files  # no metrics, no scaling: nothing but its namespace
    web = objects(root, "front/web.yaml")
    assert {"ServiceMonitor", "HorizontalPodAutoscaler"} <= set(web) and "ScaledObject" not in web
    relabel = {"action": "replace", "targetLabel": "service", "replacement": "web"}  # series carry the catalogue name
    assert web["ServiceMonitor"]["spec"]["endpoints"] == [
        {"port": "metrics", "path": "/stats", "interval": "1m", "scrapeTimeout": "20s", "relabelings": [relabel]}
    ]
    assert web["HorizontalPodAutoscaler"]["spec"]["minReplicas"] == 1


def test_pod_monitor_relabels_service(synthesized):
    root = synthesized["pod-monitor-kafka-auth"] / "prod"
    monitor = objects(root, "streams/ingest.yaml")["PodMonitor"]
    assert monitor["metadata"]["labels"]["release"] == "kps"
    assert monitor["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "ingest"}}
    (endpoint,) = monitor["spec"]["podMetricsEndpoints"]
    assert endpoint["relabelings"] == [{"action": "replace", "targetLabel": "service", "replacement": "ingest"}]


def test_trigger_authentication_per_kafka_namespace(synthesized):
    root = synthesized["pod-monitor-kafka-auth"] / "prod"
    for namespace in ("streams", "archive"):
        auth = objects(root, f"{namespace}/_namespace.yaml")["TriggerAuthentication"]
        assert auth["metadata"]["namespace"] == namespace
        assert [r["parameter"] for r in auth["spec"]["secretTargetRef"]] == [
            "sasl",
            "username",
            "password",
            "tls",
            "ca",
        ]
        assert {r["name"] for r in auth["spec"]["secretTargetRef"]} == {"kafka-creds"}
        assert all(r["key"] == r["parameter"] for r in auth["spec"]["secretTargetRef"])
    assert "TriggerAuthentication" not in objects(root, "serving/_namespace.yaml")  # cpu only: no Kafka, no auth


def test_scaled_object_with_kafka_auth_and_cpu(synthesized):
    root = synthesized["pod-monitor-kafka-auth"] / "prod"
    enrich = objects(root, "streams/enrich.yaml")
    assert "HorizontalPodAutoscaler" not in enrich  # never an HPA beside a ScaledObject
    kafka, cpu = enrich["ScaledObject"]["spec"]["triggers"]
    assert kafka["type"] == "kafka" and kafka["authenticationRef"] == {"name": "kafka-trigger-auth"}
    assert kafka["metadata"]["consumerGroup"] == "enrich-v2"
    assert cpu == {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "75"}}
    ingest = objects(root, "streams/ingest.yaml")["ScaledObject"]["spec"]
    assert (ingest["minReplicaCount"], ingest["pollingInterval"], ingest["cooldownPeriod"]) == (0, 15, 600)
    assert ingest["triggers"][0]["metadata"]["activationLagThreshold"] == "5"
    assert ingest["triggers"][0]["metadata"]["consumerGroup"] == "ingest"
    query = objects(root, "serving/query.yaml")
    assert {"ServiceMonitor", "HorizontalPodAutoscaler"} <= set(query) and "ScaledObject" not in query
    archiver = objects(root, "archive/archiver.yaml")
    assert "ScaledObject" in archiver and not {"ServiceMonitor", "PodMonitor"} & set(archiver)  # no metrics: no monitor


def test_overrides_are_deep_merged(synthesized):
    root = synthesized["overrides"]
    dev, staging, prod = (objects(root / env, "work/worker.yaml") for env in ("dev", "staging", "prod"))
    assert (
        {"PodMonitor", "ScaledObject"} <= set(dev)
        and "ServiceMonitor" not in dev
        and dev["PodMonitor"]["spec"]["podMetricsEndpoints"][0]["interval"] == "1m"
    )
    dev_spec = dev["ScaledObject"]["spec"]
    assert (dev_spec["minReplicaCount"], dev_spec["maxReplicaCount"], dev_spec["cooldownPeriod"]) == (0, 2, 90)
    assert dev_spec["triggers"][0]["metadata"]["lagThreshold"] == "500"
    assert dev_spec["triggers"][0]["metadata"]["topic"] == "tasks"  # kept from the base
    assert (
        "ServiceMonitor" in staging
        and "PodMonitor" not in staging
        and staging["ScaledObject"]["spec"]["maxReplicaCount"] == 10
    )
    prod_spec = prod["ScaledObject"]["spec"]
    assert prod_spec["maxReplicaCount"] == 40 and [t["type"] for t in prod_spec["triggers"]] == ["kafka", "cpu"]
    assert prod["ScaledObject"]["metadata"]["labels"]["team"] == "core-oncall"
    api = {env: objects(root / env, "work/api.yaml") for env in ("dev", "staging", "prod")}
    assert [api[e]["HorizontalPodAutoscaler"]["spec"]["minReplicas"] for e in ("dev", "staging", "prod")] == [1, 2, 3]
    assert api["prod"]["ServiceMonitor"]["spec"]["endpoints"][0]["scrapeTimeout"] == "10s"
    assert "scrapeTimeout" not in api["dev"]["ServiceMonitor"]["spec"]["endpoints"][0]


def test_overrides_max_severity_in_model():
    """maxSeverity per environment (the alerting generators read Environment.lower)."""
    from opsgen import pipeline

    catalogue = pipeline.load_valid(str(GOLDEN / "overrides" / "services.yaml"))
    lowered = {env.name: env.lower("page") for env in catalogue.environments}
    assert lowered == {"dev": "info", "staging": "warn", "prod": "page"}
    assert {env.name: env.lower("info") for env in catalogue.environments} == {
        "dev": "info",
        "staging": "info",
        "prod": "info",
    }


def test_validation_of_golden_output_can_fail(synthesized, tmp_path):
    """The strict check above is not vacuous: one typo in one generated file fails it."""
    if manifests.crd_dir()[0] is None:
        pytest.skip(manifests.crd_dir()[1])
    copy = tmp_path / "copy"
    shutil.copytree(synthesized["single-env"], copy)
    target = copy / "front" / "web.yaml"
    text = target.read_text(encoding="utf-8")
    assert "    interval: 1m\n" in text
    target.write_text(text.replace("    interval: 1m\n", "    intervall: 1m\n"), encoding="utf-8")
    with pytest.raises(AssertionError, match="'intervall' was unexpected"):
        manifests.assert_tree_valid(copy)
    target.write_text(text.replace("  minReplicas: 1\n", "  minReplica: 1\n"), encoding="utf-8")
    with pytest.raises(AssertionError, match="'minReplica' was unexpected"):
        manifests.assert_tree_valid(copy)


LONGEST = "x" * 63  # the longest DNS-1123 label the catalogue accepts


def test_longest_names_give_valid_objects(tmp_path, run):
    """Every name at the contract's limit must still give objects a cluster accepts."""
    catalogue = tmp_path / "services.yaml"
    catalogue.write_text(
        f"""\
platform:
  name: {LONGEST}
  kafka: {{bootstrapServers: "k.kafka:9092", auth: {{secret: {LONGEST}}}}}
  alerting:
    page: {{pagerduty: {{secret: {LONGEST}, key: k}}}}
environments:
  {LONGEST}: {{}}
services:
  - name: {LONGEST}
    namespace: {LONGEST}
    team: {LONGEST}
    metrics: {{port: http}}
    scaling: {{maxReplicas: 3, kafka: {{topic: t, lagThreshold: 5}}}}
    slo: {{successRate: 99, latencyP95: 1s}}
alerts:
  - {{name: A, expr: up == 0, severity: page, summary: s}}
""",
        encoding="utf-8",
    )
    code, _, err = run("synth", "-c", catalogue, "-o", tmp_path / "out")
    assert code == 0, err
    manifests.assert_tree_valid(tmp_path / "out")
