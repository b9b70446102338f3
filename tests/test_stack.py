"""The platform stack (helmfile.yaml, charts/, environments/) against the catalogue."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from opsgen import conventions as conv
from opsgen import pipeline, stack
from opsgen.catalogue import model
from opsgen.stack import helmfile as helmfile_module
from opsgen.stack.read import get
from tests.support import helm_values

REPO = Path(__file__).resolve().parent.parent
STACK_PARTS = ("helmfile.yaml", "environments", "charts")
# The generated output; OPSGEN_DIST points the dist/ tests at another synth (opsgen synth -o DIR).
DIST = Path(os.environ.get("OPSGEN_DIST") or REPO / conv.OUTPUT_DIR)


def catalogue(path: Path = REPO / "tests" / "golden" / "bundled" / "services.yaml") -> model.Catalogue:
    """The catalogue model, read as opsgen reads it (with the files it includes)."""
    return pipeline.load_valid(str(path))


@pytest.fixture(scope="module")
def cat() -> model.Catalogue:
    """The tests' own catalogue (tests/golden/bundled), which the stack is changed against."""
    return catalogue()


@pytest.fixture(scope="module")
def repo_cat() -> model.Catalogue:
    """The repository's services.yaml, whatever it holds (the stack must agree with it)."""
    return catalogue(REPO / "services.yaml")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the stack files to break."""
    for part in STACK_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, tmp_path / part)
        else:
            shutil.copy(src, tmp_path / part)
    return tmp_path


def helmfile() -> dict:
    return helm_values.helmfile(REPO)


def env_values(env: str) -> dict:
    return helm_values.env_values(REPO, env)


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


# -- the repository's stack --------------------------------------------------------------


@pytest.mark.repo_catalogue
def test_the_stack_agrees_with_the_catalogue(repo_cat):
    assert helm_values.stack_problems(repo_cat, REPO) == []


@pytest.mark.repo_catalogue
def test_helmfile_environments_are_the_catalogues(repo_cat):
    assert list(helmfile()["environments"]) == [e.name for e in repo_cat.environments]


def test_every_chart_is_pinned_to_an_exact_version():
    for release in helmfile()["releases"]:
        assert re.fullmatch(r"\d+\.\d+\.\d+", str(release.get("version", ""))), release["name"]


def test_every_values_file_parses():
    files = {v for r in helmfile()["releases"] for v in r.get("values", []) if not v.endswith(".gotmpl")}
    files |= {str(p.relative_to(REPO)) for p in (REPO / "environments").glob("*.yaml")}
    for f in sorted(files):
        assert isinstance(yaml.safe_load((REPO / f).read_text(encoding="utf-8")), dict), f


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_every_release_condition_is_a_boolean_in_every_environment(env):
    """helmfile's `condition:` needs a boolean in every environment (plain YAML: checked here)."""
    values = env_values(env)
    for release in helmfile()["releases"]:
        condition = release.get("condition")
        if condition:
            assert isinstance(get(values, condition), bool), f"{env}: {condition}"


def test_templates_are_not_checked_without_helmfile(cat):
    """opsgen has no Go template renderer: every .gotmpl values file is named as not checked."""
    problems, unchecked = helm_values.stack_report(cat, REPO)
    templates = sorted({v for r in helmfile()["releases"] for v in r.get("values", []) if v.endswith(".gotmpl")})
    assert templates and problems == []
    assert sorted(unchecked) == [
        f"{t}: not checked (needs helmfile): a Go template helmfile renders per environment; opsgen reads plain YAML only"
        for t in templates
    ]
    assert not hasattr(stack, "render_template")


def test_kubecost_is_optional_and_its_key_comes_from_a_secret():
    kubecost = helmfile_module.find_release(helmfile()["releases"], "cost-analyzer")
    assert kubecost["condition"] == "kubecost.enabled"
    assert env_values("dev")["kubecost"]["enabled"] is False
    assert env_values("prod")["kubecost"]["enabled"] is True
    values = helm_values.release_values(REPO, kubecost, "prod", env_values("prod"))  # the key is per environment
    key = values["kubecostProductConfigs"]["productKey"]
    assert key.get("secretname") and not key.get("key")
    assert not values.get("kubecostToken")


def test_no_credential_is_written_in_values():
    suspicious = re.compile(r"(password|token|apikey|api_key|secret_key)\s*:\s*\S", re.I)
    for path in sorted((REPO / "charts").rglob("*")) + sorted((REPO / "environments").glob("*")):
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.lstrip().startswith("#"):
                    continue
                match = suspicious.search(line)
                assert not match or "Key:" in line or "Secret" in line, f"{path}: {line}"


# -- the catalogue changes, the stack does not ------------------------------------------


def test_another_release_name_is_reported(cat):
    other = replace(cat, platform=replace(cat.platform, release="kps"))
    problems = helm_values.stack_problems(other, REPO)
    assert any(p.startswith("helmfile.yaml:") and "'prometheus'" in p and "'kps'" in p for p in problems), problems
    # every ServiceMonitor label and selector of the stack names the old release
    assert any(
        p.startswith("charts/monitoring/kube-prometheus-stack.yaml:") and "serviceMonitorSelector" in p
        for p in problems
    )
    assert any(p.startswith("charts/cost/kubecost/values.yaml:") for p in problems)


def test_another_namespace_is_reported(cat):
    other = replace(cat, platform=replace(cat.platform, namespace="observability"))
    problems = helm_values.stack_problems(other, REPO)
    assert any("namespace 'monitoring'" in p and "'observability'" in p for p in problems), problems


def test_an_environment_without_helmfile_or_argocd_is_reported(cat):
    qa = replace(cat.environments[0], name="qa")
    problems = helm_values.stack_problems(replace(cat, environments=cat.environments + (qa,)), REPO)
    assert any(
        re.match(r"helmfile.yaml:\d+:\d+: no environment 'qa'; ", p)
        and p.endswith("services.yaml has environments dev, staging, prod, qa")
        for p in problems
    ), problems


# -- the stack changes, the catalogue does not ------------------------------------------


def test_the_default_matcher_strategy_is_reported(cat, root):
    values = root / "charts/monitoring/kube-prometheus-stack.yaml"
    edit(values, lambda d: d["alertmanager"]["alertmanagerSpec"].pop("alertmanagerConfigMatcherStrategy"))
    problems = helm_values.stack_problems(cat, root)
    assert len(problems) == 1 and problems[0].startswith("charts/monitoring/kube-prometheus-stack.yaml:")
    assert "alertmanagerConfigMatcherStrategy.type must be 'None'" in problems[0]


def test_a_stack_rule_that_duplicates_an_opsgen_alert_is_reported(cat, root):
    """One alert per condition (conventions.STACK_DUPLICATES, tests/test_stack_rules.py)."""
    values = root / "charts/monitoring/kube-prometheus-stack.yaml"
    edit(values, lambda d: d["defaultRules"]["disabled"].pop("KubeHpaMaxedOut"))
    (problem,) = helm_values.stack_problems(cat, root)
    assert problem.startswith("charts/monitoring/kube-prometheus-stack.yaml:")
    assert "defaultRules.disabled.KubeHpaMaxedOut must be true (is unset)" in problem
    assert "ReplicasAtMax" in problem


def test_a_sidecar_without_the_folder_annotation_is_reported(cat, root):
    values = root / "charts/monitoring/kube-prometheus-stack.yaml"
    edit(values, lambda d: d["grafana"]["sidecar"]["dashboards"].update(folderAnnotation="folder", labelValue=1))
    problems = helm_values.stack_problems(cat, root)
    assert any('folderAnnotation must be "grafana_folder"' in p for p in problems), problems
    assert any('labelValue must be "1"' in p for p in problems), problems


def test_a_namespaced_monitor_selector_is_reported(cat, root):
    values = root / "charts/monitoring/kube-prometheus-stack.yaml"
    edit(
        values,
        lambda d: d["prometheus"]["prometheusSpec"].update(podMonitorNamespaceSelector={"matchLabels": {"a": "b"}}),
    )
    assert any("podMonitorNamespaceSelector must be {}" in p for p in helm_values.stack_problems(cat, root))


def test_an_alertmanager_selector_opsgen_does_not_match_is_reported(cat, root):
    values = root / "charts/monitoring/kube-prometheus-stack.yaml"
    edit(
        values,
        lambda d: d["alertmanager"]["alertmanagerSpec"].update(alertmanagerConfigSelector={"matchLabels": {"x": "y"}}),
    )
    assert any("does not select opsgen's AlertmanagerConfig" in p for p in helm_values.stack_problems(cat, root))


def test_hand_written_argocd_objects_beside_the_generated_ones_are_a_problem(cat, root):
    (root / "deploy/argocd").mkdir(parents=True)
    (root / "deploy/argocd/prod.yaml").write_text("kind: Application\n", encoding="utf-8")
    problems = helm_values.stack_problems(cat, root)
    (found,) = [p for p in problems if p.startswith("deploy/argocd")]
    assert found.startswith("deploy/argocd: hand-written Argo CD objects beside the generated ones (dist/_argocd/, ")
    assert found.endswith("services.yaml): two Applications would manage the same objects; delete this folder")


def test_a_template_is_never_a_failure(cat, root):
    """Whatever a .gotmpl holds, only helmfile can say whether it renders: not checked, never a problem."""
    gotmpl = root / "charts/logging/loki/environment.yaml.gotmpl"
    gotmpl.write_text(
        gotmpl.read_text(encoding="utf-8") + "extra: {{ .Values.loki.missing | nosuchfunc }}\n", encoding="utf-8"
    )
    problems, unchecked = helm_values.stack_report(cat, root)
    assert problems == []
    assert any(
        u.startswith("charts/logging/loki/environment.yaml.gotmpl: not checked (needs helmfile)") for u in unchecked
    )


def test_a_missing_template_file_is_a_problem(cat, root):
    (root / "charts/logging/loki/environment.yaml.gotmpl").unlink()
    problems = helm_values.stack_problems(cat, root)
    line = next(
        i
        for i, text in enumerate((root / "helmfile.yaml").read_text().splitlines(), 1)
        if "charts/logging/loki/environment.yaml.gotmpl" in text
    )
    assert problems == [
        f"helmfile.yaml:{line}:9: release 'loki': values file charts/logging/loki/environment.yaml.gotmpl does not exist"
    ]


def _set(path: str, value):
    def change(data):
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if isinstance(data, list) else data[key]
        data[int(last) if isinstance(data, list) else last] = value

    return change


@pytest.mark.parametrize(
    "path, value, why",
    [
        ("environments", ["dev", "prod"], "environments is a list, not a mapping of environment names"),
        ("environments.dev", ["a"], "environments.dev is a list, not a mapping"),
        ("environments.dev.values", "environments/dev.yaml", "environments.dev.values is a str, not a list"),
        ("releases", {"prometheus": {}}, "releases is a dict, not a list"),
        ("releases.0", "prometheus", "releases[0] is a str, not a mapping"),
        ("releases.0.name", ["prometheus"], "releases[0].name is a list, not a string"),
        ("releases.0.values", {"a": 1}, "releases[0].values is a dict, not a list"),
        ("releases.0.values.0", 3, "releases[0].values[0] is an int, not a file name or a mapping"),
        (
            "bases",
            ["common.yaml"],
            "not checked (needs helmfile): it uses bases: its releases live in files only helmfile assembles",
        ),
    ],
)
def test_a_malformed_helmfile_is_not_checked_never_a_traceback(cat, root, path, value, why):
    edit(root / "helmfile.yaml", _set(path, value))
    problems, unchecked = helm_values.stack_report(cat, root)
    assert [p for p in problems if p.startswith("helmfile.yaml")] == []
    assert any(u.startswith("helmfile.yaml: not checked") and u.endswith(why) for u in unchecked), unchecked


@pytest.mark.parametrize(
    "file, path, value",
    [
        (
            "charts/monitoring/kube-prometheus-stack.yaml",
            "alertmanager.alertmanagerSpec.alertmanagerConfigSelector.matchLabels",
            ["x"],
        ),
        (
            "charts/monitoring/kube-prometheus-stack.yaml",
            "prometheus.prometheusSpec.serviceMonitorSelector",
            {"matchLabels": 3},
        ),
        ("charts/monitoring/kafka-exporter.yaml", "kafkaServer", 9092),
        ("charts/tracing/opentelemetry-collector/values.yaml", "config.service", ["pipelines"]),
    ],
)
def test_malformed_values_are_not_checked_never_a_traceback(cat, root, file, path, value):
    edit(root / file, _set(path, value))
    problems, unchecked = helm_values.stack_report(cat, root)  # no exception
    assert problems or any("not checked" in u for u in unchecked)


# -- Argo CD and dist/ -----------------------------------------------------------------


def _dist_objects(env: str):
    for path in sorted((DIST / env).rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict):
                yield doc


@pytest.mark.repo_catalogue
def test_the_stack_selects_opsgens_generated_objects(repo_cat):
    """The AlertmanagerConfig and dashboard ConfigMaps in dist/ carry what the stack selects on."""
    env = repo_cat.environments[0].name or ""
    if not (DIST / env).is_dir():
        pytest.skip("dist/ is not generated yet (make synth)")
    values = yaml.safe_load((REPO / "charts/monitoring/kube-prometheus-stack.yaml").read_text(encoding="utf-8"))
    am_selector = values["alertmanager"]["alertmanagerSpec"]["alertmanagerConfigSelector"]["matchLabels"]
    seen = {"AlertmanagerConfig": 0, "dashboard": 0, "monitor": 0}
    for obj in _dist_objects(env):
        meta = obj.get("metadata") or {}
        labels = meta.get("labels") or {}
        if obj.get("kind") == "AlertmanagerConfig":
            seen["AlertmanagerConfig"] += 1
            assert all(labels.get(k) == v for k, v in am_selector.items()), labels
        if obj.get("kind") == "ConfigMap" and conv.GRAFANA_DASHBOARD_LABEL in labels:
            seen["dashboard"] += 1
            assert labels[conv.GRAFANA_DASHBOARD_LABEL] == conv.GRAFANA_DASHBOARD_VALUE
            assert (meta.get("annotations") or {}).get(
                conv.GRAFANA_FOLDER_ANNOTATION
            ) == repo_cat.platform.grafana_folder
        if obj.get("kind") in ("ServiceMonitor", "PodMonitor", "PrometheusRule"):
            seen["monitor"] += 1
            assert labels.get("release") == repo_cat.platform.release
    if not any(seen.values()):
        pytest.skip("dist/ holds no AlertmanagerConfig, dashboard or monitor yet")


def test_the_workflow_runs_synth_check_and_test():
    workflow = yaml.safe_load((REPO / ".github/workflows/opsgen.yaml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    runs = "\n".join(s.get("run", "") for s in steps)
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/checkout@") for u in uses)
    assert any(
        s.get("uses", "").startswith("actions/setup-python@") and str(s["with"]["python-version"]).split()[-1] == "3.11"
        for s in steps
    )
    assert any(
        s.get("uses", "").startswith("actions/setup-node@") and str(s["with"]["node-version"]) == "24" for s in steps
    )
    assert "./.github/actions/opsgen-check" in uses  # opsgen check, with annotations (tests/test_workflow.py)
    for command in ("make synth", "git diff --exit-code", "make test"):
        assert command in runs, command


def test_kafka_exporter_reads_the_catalogues_brokers(cat, root):
    other = replace(cat, platform=replace(cat.platform, kafka_bootstrap="kafka.other:9093"))
    problems = helm_values.stack_problems(other, REPO)
    assert any("kafkaServer is" in p and "'kafka.other:9093'" in p for p in problems), problems
    helm = yaml.safe_load((root / "helmfile.yaml").read_text(encoding="utf-8"))
    helm["releases"] = [r for r in helm["releases"] if r["name"] != "kafka-exporter"]
    (root / "helmfile.yaml").write_text(yaml.safe_dump(helm, sort_keys=False), encoding="utf-8")
    assert any("no prometheus-kafka-exporter release" in p for p in helm_values.stack_problems(cat, root))
