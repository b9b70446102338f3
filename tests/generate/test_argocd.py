"""generate/argocd.py: the Argo CD objects of a catalogue with platform.argocd, in _argocd/.

The AppProject must allow exactly what the Applications sync: tests/support/argocd.py
reads the written output as Argo CD would and lists what it would refuse."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from opsgen import conventions as conv
from opsgen.cli import main
from tests.support import argocd, manifests

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "argocd"
OUTPUT_PATH = "deploy/opsgen"  # the golden case's platform.argocd.path

NO_ENVIRONMENTS = """\
platform:
  name: solo
  argocd: {repoURL: "git@github.com:example/solo.git"}
  kafka: {bootstrapServers: k.kafka:9092, auth: {secret: kafka-creds}}
services:
  - name: worker
    namespace: apps
    team: core
    metrics: {port: http}
    scaling: {maxReplicas: 4, kafka: {topic: jobs, lagThreshold: 10}}
"""


def synth(tmp_path: Path, catalogue: Path) -> Path:
    out = tmp_path / "out"
    assert main(["synth", "-c", str(catalogue), "-o", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def golden(tmp_path_factory) -> Path:
    return synth(tmp_path_factory.mktemp("argocd"), GOLDEN / "services.yaml")


@pytest.fixture
def solo(tmp_path) -> Path:
    catalogue = tmp_path / "services.yaml"
    catalogue.write_text(NO_ENVIRONMENTS, encoding="utf-8")
    return synth(tmp_path, catalogue)


def test_the_project_allows_exactly_what_each_application_syncs(golden):
    project, apps = argocd.argocd_objects(golden)
    assert [a["metadata"]["name"] for a in apps] == ["shop-dev", "shop-prod", "shop-staging"]
    for app in apps:
        objects = argocd.synced(golden, app, OUTPUT_PATH)
        assert objects and argocd.refused(project, app, objects) == []
    every = {
        (d["apiVersion"].rpartition("/")[0], d["kind"]) for a in apps for _, d in argocd.synced(golden, a, OUTPUT_PATH)
    }
    listed = project["spec"]["clusterResourceWhitelist"] + project["spec"]["namespaceResourceWhitelist"]
    assert {(k["group"], k["kind"]) for k in listed} == every  # no kind allowed that is not written


def test_a_kind_the_project_does_not_allow_is_refused(golden, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(golden, copy)
    extra = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "deny", "namespace": "shop"},
    }
    (copy / "prod" / "shop" / "extra.yaml").write_text(yaml.safe_dump(extra), encoding="utf-8")
    elsewhere = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "kube-system"}}
    (copy / "prod" / "kube-system.yaml").write_text(yaml.safe_dump(elsewhere), encoding="utf-8")
    project, apps = argocd.argocd_objects(copy)
    prod = next(a for a in apps if a["metadata"]["name"] == "shop-prod")
    assert argocd.refused(project, prod, argocd.synced(copy, prod, OUTPUT_PATH)) == [
        "kube-system.yaml: namespace kube-system on {'name': 'prod-eu', 'namespace': 'monitoring'} is not an allowed destination",
        "shop/extra.yaml: NetworkPolicy (networking.k8s.io) is not whitelisted",
    ]


def test_each_environment_has_its_cluster_and_revision(golden):
    _, apps = argocd.argocd_objects(golden)
    spec = {a["metadata"]["name"]: a["spec"] for a in apps}
    assert spec["shop-dev"]["destination"] == {"server": "https://dev.k8s.example.com:6443", "namespace": "monitoring"}
    assert spec["shop-staging"]["destination"] == {"name": "staging-eu", "namespace": "monitoring"}
    assert [spec[f"shop-{e}"]["source"]["targetRevision"] for e in ("dev", "staging", "prod")] == [
        "main",
        "release",
        "v2.3.0",
    ]
    assert {s["source"]["repoURL"] for s in spec.values()} == {"https://git.example.com/platform/shop-catalogue.git"}
    assert [spec[f"shop-{e}"]["source"]["path"] for e in ("dev", "prod")] == ["deploy/opsgen/dev", "deploy/opsgen/prod"]
    for app in spec.values():
        sync = app["syncPolicy"]
        assert sync["automated"] == {"prune": True, "selfHeal": True}
        assert sync["retry"]["limit"] > 0 and set(sync["retry"]["backoff"]) == {"duration", "factor", "maxDuration"}
        assert sync["syncOptions"] == list(conv.APPLICATION_SYNC_OPTIONS)
        assert {"ServerSideApply=true", "CreateNamespace=false", "SkipDryRunOnMissingResource=true"} <= set(
            sync["syncOptions"]
        )
        assert "exclude" not in app["source"]["directory"]  # an environment's folder holds no _argocd/


def test_sync_waves_namespaces_then_trigger_authentications_then_what_references_them(golden):
    def wave(doc):
        return int(doc["metadata"].get("annotations", {}).get(conv.SYNC_WAVE_ANNOTATION, "0"))

    docs = [d for p in sorted((golden / "prod").rglob("*.yaml")) for d in manifests.load_documents(p)]
    by_kind = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], set()).add(wave(doc))
    (namespace,), (auth,), (scaled,) = by_kind["Namespace"], by_kind["TriggerAuthentication"], by_kind["ScaledObject"]
    assert namespace < auth < scaled
    assert all(wave(d) <= auth for d in docs if d["kind"] not in ("ScaledObject", "Namespace"))


def test_without_environments_the_application_skips_the_argocd_folder(solo):
    assert sorted(p.name for p in solo.iterdir()) == [conv.ARGOCD_DIR, "apps", "monitoring"]
    project, (app,) = argocd.argocd_objects(solo)
    assert app["metadata"]["name"] == "solo" and app["spec"]["source"]["path"] == conv.ARGOCD_PATH
    assert app["spec"]["source"]["directory"] == {"recurse": True, "exclude": f"{conv.ARGOCD_DIR}/*"}
    objects = argocd.synced(solo, app, conv.ARGOCD_PATH)
    assert not {d["kind"] for _, d in objects} & {"Application", "AppProject"}
    assert argocd.refused(project, app, objects) == []
    assert project["metadata"] == {**project["metadata"], "name": "solo", "namespace": "argocd"}
    assert project["spec"]["sourceRepos"] == ["git@github.com:example/solo.git"]
    assert project["spec"]["destinations"] == [
        {"server": conv.IN_CLUSTER_SERVER, "namespace": "apps"},
        {"server": conv.IN_CLUSTER_SERVER, "namespace": "monitoring"},
    ]


def test_without_platform_argocd_nothing_argocd_is_written(tmp_path):
    text = NO_ENVIRONMENTS.replace('  argocd: {repoURL: "git@github.com:example/solo.git"}\n', "")
    text += "environments:\n  prod: {argocd: {cluster: {name: prod}, targetRevision: v1}}\n"
    catalogue = tmp_path / "services.yaml"
    catalogue.write_text(text, encoding="utf-8")
    out = synth(tmp_path, catalogue)
    assert [p.name for p in out.iterdir()] == ["prod"]
    assert not [p for p in out.rglob("*.yaml") if "apiVersion: argoproj.io/" in p.read_text(encoding="utf-8")]


def test_every_argocd_object_is_strictly_valid(golden, solo):
    for out in (golden, solo):
        for path in sorted((out / conv.ARGOCD_DIR).glob("*.yaml")):
            for doc in manifests.load_documents(path):
                manifests.assert_valid(doc, str(path))


def test_long_names_are_cut_and_stay_unique(tmp_path):
    platform, envs = "p" * 63, ("e" * 62 + "a", "e" * 62 + "b")
    text = textwrap.dedent(
        f"""\
        platform: {{name: {platform}, argocd: {{repoURL: "https://example.com/r.git"}}}}
        environments: {{{envs[0]}: {{}}, {envs[1]}: {{}}}}
        services: [{{name: api, namespace: apps, team: core, metrics: {{port: http}}}}]
        """
    )
    catalogue = tmp_path / "services.yaml"
    catalogue.write_text(text, encoding="utf-8")
    _, apps = argocd.argocd_objects(synth(tmp_path, catalogue))
    names = [a["metadata"]["name"] for a in apps]
    assert len(set(names)) == 2 and all(len(n) <= conv.ARGOCD_NAME_MAX for n in names)


@pytest.mark.repo_catalogue
def test_the_repositorys_project_allows_what_its_applications_sync():
    """The committed dist/ (whatever the platform team's catalogue holds): nothing Argo CD would refuse."""
    from tests.conftest import REPO

    dist = REPO / conv.ARGOCD_PATH
    if not (dist / conv.ARGOCD_DIR).is_dir():
        pytest.skip("the repository's catalogue has no platform.argocd (or dist/ is not generated: make synth)")
    project, apps = argocd.argocd_objects(dist)
    for app in apps:
        objects = argocd.synced(dist, app, conv.ARGOCD_PATH)
        assert objects and argocd.refused(project, app, objects) == [], app["metadata"]["name"]
