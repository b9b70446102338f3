"""platform.argocd and environments.<env>.argocd: located errors, and the model's defaults."""

from __future__ import annotations

import pytest

from opsgen import conventions as conv
from opsgen.catalogue import load, model, schema, validate
from opsgen.errors import CatalogueError

BASE = """\
platform:
  name: shop
  argocd: {ARGOCD}
environments:
  dev:
  prod: {PROD}
services:
  - {name: api, namespace: apps, team: core}
"""


def text(argocd: str = "{repoURL: 'https://git.example.com/shop.git'}", prod: str = "{}") -> str:
    return BASE.replace("{ARGOCD}", argocd).replace("{PROD}", prod)


def problems(catalogue: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(catalogue, "services.yaml"))
    return [str(p) for p in caught.value.problems]


def built(catalogue: str) -> model.Catalogue:
    doc = load.load_text(catalogue, "services.yaml")
    validate.validate(doc)
    return model.build(doc)


def test_defaults():
    catalogue = built(text())
    assert catalogue.platform.argocd == model.ArgoCd(
        "https://git.example.com/shop.git", "shop", conv.ARGOCD_NAMESPACE, conv.ARGOCD_PATH
    )
    for env in catalogue.environments:
        assert env.delivery == model.Delivery(model.Cluster(conv.IN_CLUSTER_SERVER, None), conv.TARGET_REVISION)


def test_every_field():
    argocd = "{repoURL: 'git@github.com:example/shop.git', project: obs, namespace: gitops, path: deploy/opsgen/}"
    catalogue = built(text(argocd, "{argocd: {cluster: {name: prod-eu}, targetRevision: v1.0.0}}"))
    assert catalogue.platform.argocd == model.ArgoCd(
        "git@github.com:example/shop.git", "obs", "gitops", "deploy/opsgen"
    )
    prod = catalogue.environments[1]
    assert prod.delivery == model.Delivery(model.Cluster(None, "prod-eu"), "v1.0.0")


def test_without_repo_url_there_is_no_argocd():
    assert built(text("{project: obs}")).platform.argocd is None
    assert built(BASE.replace("  argocd: {ARGOCD}\n", "").replace("{PROD}", "{}")).platform.argocd is None


def test_errors_are_located():
    found = problems(
        text(
            "{repoUrl: 'https://x/y.git', namespace: Argo_CD}",
            "{argocd: {cluster: {server: 'https://a', name: a}, targetRevision: ''}}",
        )
    )
    assert any(
        p.startswith("services.yaml:3:12: unknown key 'repoUrl' in platform.argocd; did you mean 'repoURL'?")
        for p in found
    ), found
    assert any(p.startswith("services.yaml:3:") and "namespace" in p and "DNS-1123" in p for p in found), found
    assert "services.yaml:6:19: environments.prod.argocd.cluster needs exactly one of name, server" in found
    assert any(p.startswith("services.yaml:6:") and "targetRevision" in p for p in found), found


def test_repo_url_and_path_must_be_plausible():
    assert any("repository URL" in p or "git clone URL" in p for p in problems(text("{repoURL: 'not a url'}")))
    for path in ("/abs", "a/../b", ".."):
        found = problems(text(f"{{repoURL: 'https://x/y.git', path: '{path}'}}"))
        assert found == [
            f"services.yaml:3:40: platform.argocd.path ({path!r}) must be {schema.MESSAGES['repository path']}"
        ], found


def test_settings_that_write_nothing_are_located_warnings(tmp_path):
    from opsgen import pipeline
    from opsgen.errors import warning_line

    path = tmp_path / "services.yaml"
    path.write_text(text("{project: obs}", "{argocd: {targetRevision: v1}}"), encoding="utf-8")
    found = [warning_line(w) for w in pipeline.catalogue_warnings(pipeline.load_valid(str(path)))]
    assert found == [
        f"{path}:3:3: warning: platform.argocd has no repoURL: no Argo CD objects are written",
        f"{path}:6:10: warning: environments.prod.argocd has no effect without platform.argocd.repoURL: no Argo CD objects are written",
    ]
    path.write_text(text(), encoding="utf-8")
    assert pipeline.catalogue_warnings(pipeline.load_valid(str(path))) == []
