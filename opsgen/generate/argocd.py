"""The Argo CD objects of a catalogue with ``platform.argocd`` (docs/ops.md, "Argo CD").

One Application per environment, each on its own cluster and revision, and the
AppProject they share, all in conventions.ARGOCD_DIR: they are applied to the
cluster Argo CD runs in, not to an environment's. The AppProject is derived from
what the environments' output holds (kinds.inventory): its destinations are
exactly each environment's cluster with the namespaces opsgen writes there, its
whitelists exactly the kinds written, cluster-scoped and namespaced apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from opsgen import conventions as conv
from opsgen.catalogue.model import ArgoCd, Catalogue, Environment
from opsgen.generate.kinds import (
    Application,
    ApplicationProps,
    AppProject,
    AppProjectProps,
    Destination,
    ObjectMeta,
    Stock,
)

if TYPE_CHECKING:
    from cdk8s import Chart

Inventory = set[Stock]  # what an environment's output holds (kinds.inventory)
Build = Callable[["Chart"], None]


def files(catalogue: Catalogue, inventories: dict[str | None, Inventory]) -> list[tuple[str, Build]]:
    """(path within ARGOCD_DIR, what fills it): the AppProject, then one Application
    per environment; ``inventories`` holds what each environment's output holds."""
    argocd = catalogue.platform.argocd
    if argocd is None:
        return []
    project = (conv.ARGOCD_PROJECT_FILE, _project(catalogue, argocd, inventories))
    apps = [
        (conv.argocd_application_file(catalogue.platform, env.name), _application(catalogue, argocd, env))
        for env in catalogue.environments
    ]
    return [project, *apps]


def destination(env: Environment, namespace: str | None) -> Destination:
    """The environment's cluster (environments.<env>.argocd.cluster), with ``namespace``."""
    cluster = env.delivery.cluster
    return Destination(server=cluster.server if cluster.name is None else None, name=cluster.name, namespace=namespace)


def home_namespace(catalogue: Catalogue) -> str:
    """An Application's destination namespace: Argo CD requires the project to allow it,
    and it is where an object without a namespace would go (opsgen writes none)."""
    return catalogue.platform.namespace


def _labels(catalogue: Catalogue) -> dict[str, str]:
    return conv.platform_labels(catalogue.platform, conv.APPLICATION_COMPONENT)


def _application(catalogue: Catalogue, argocd: ArgoCd, env: Environment) -> Build:
    def build(chart: Chart) -> None:
        meta = ObjectMeta(
            conv.argocd_application_name(catalogue.platform, env.name), argocd.namespace, _labels(catalogue)
        )
        props = ApplicationProps(
            meta,
            project=argocd.project,
            repo_url=argocd.repo_url,
            target_revision=env.delivery.target_revision,
            path=conv.argocd_source_path(argocd.path, env.name),
            destination=destination(env, home_namespace(catalogue)),
            exclude=conv.argocd_exclude(env.name),
        )
        Application(chart, props)

    return build


def _project(catalogue: Catalogue, argocd: ArgoCd, inventories: dict[str | None, Inventory]) -> Build:
    def build(chart: Chart) -> None:
        annotations = {conv.SYNC_WAVE_ANNOTATION: conv.PROJECT_SYNC_WAVE}
        meta = ObjectMeta(argocd.project, argocd.namespace, _labels(catalogue), annotations)
        everything = set().union(*inventories.values())
        props = AppProjectProps(
            meta,
            source_repos=(argocd.repo_url,),
            destinations=destinations(catalogue, inventories),
            cluster_kinds=_kinds(everything, namespaced=False),
            namespaced_kinds=_kinds(everything, namespaced=True),
            description=f"opsgen's output for the platform {catalogue.platform.name}",
        )
        AppProject(chart, props)

    return build


def destinations(catalogue: Catalogue, inventories: dict[str | None, Inventory]) -> tuple[Destination, ...]:
    """Each environment's cluster with every namespace opsgen writes there: those its
    objects are in, those it creates (Namespace objects), and the Application's own."""
    found: dict[Destination, None] = {}  # in environment order, each once (two may share a cluster)
    for env in catalogue.environments:
        for namespace in sorted(written_namespaces(inventories.get(env.name, set())) | {home_namespace(catalogue)}):
            found.setdefault(destination(env, namespace))
    return tuple(found)


def written_namespaces(inventory: Iterable[Stock]) -> set[str]:
    """The namespaces objects are written to, and the names of the Namespaces written."""
    return {
        str(namespace or name)
        for group, kind, namespace, name in inventory
        if namespace or (group, kind) == ("", "Namespace")
    }


def _kinds(inventory: Iterable[Stock], namespaced: bool) -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted({(group, kind) for group, kind, namespace, _ in inventory if (namespace is not None) == namespaced})
    )
