"""The platform stack against the catalogue: helmfile.yaml, environments/, charts/.

opsgen writes objects that the stack must pick up: ServiceMonitors, PodMonitors and
PrometheusRules labelled ``release: <platform.prometheus.release>``, dashboard ConfigMaps
for the Grafana sidecar, an AlertmanagerConfig that routes alerts from every namespace,
and one output directory per environment that Argo CD applies (its Applications are
generated too: argocd.py only refuses hand-written ones beside them). ``report`` reads the
stack's files (safely: read.py) and returns where they disagree with the catalogue, as
located problems like the catalogue's. It reads files only: no helm, helmfile or
cluster is needed.

It reads plain YAML only. helmfile renders Go templates (``*.gotmpl`` values files, a
templated helmfile.yaml, ``bases:`` and ``helmfiles:``), and opsgen has no renderer for
them: what depends on them is reported as "not checked (needs helmfile)", never as a
problem. A helmfile whose shape it cannot read is "not checked" too, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from opsgen.catalogue.model import Catalogue
from opsgen.errors import Problem
from opsgen.stack import argocd, charts, collector, environments, helmfile, prometheus
from opsgen.stack.helmfile import DEFAULT_ENV, HELMFILE
from opsgen.stack.read import Sources, at_file

# The releases whose values are checked against the catalogue: (chart, check)
CHART_CHECKS = (
    (prometheus.CHART, prometheus.check),
    (charts.KUBECOST_CHART, charts.kubecost),
    (charts.KAFKA_EXPORTER_CHART, charts.kafka_exporter),
)


@dataclass(frozen=True)
class Report:
    """problems: where the stack disagrees with the catalogue; unchecked: what could
    not be checked, and why (notices, never failures)."""

    problems: tuple[Problem, ...]
    unchecked: tuple[Problem, ...]


def report(catalogue: Catalogue, root: Path) -> Report:
    sources = Sources(Path(root))
    catalogue = replace(catalogue, file=_shown_path(catalogue.file, sources.root))
    problems: list[Problem] = []
    unchecked: list[Problem] = []

    def guarded(file: str, what: str, check: Callable[..., Any], *args: Any) -> Any:
        """A file shaped unlike what a check reads (a list where a mapping is expected …)
        makes that check "not checked", never a traceback or a false failure."""
        try:
            return check(*args)
        except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
            unchecked.append(
                at_file(
                    file, f"not checked: {what}: a value has a shape opsgen does not read ({type(exc).__name__}: {exc})"
                )
            )
            return None

    data = helmfile.readable(sources, unchecked)
    if data is not None:
        _helmfile_checks(catalogue, sources, data, problems, unchecked, guarded)
    guarded(charts.CHARTS_DIR, "the release labels", charts.release_labels, catalogue, sources, problems)
    guarded(argocd.HAND_WRITTEN_DIR, "Argo CD", argocd.check, catalogue, sources, problems)
    return Report(tuple(dict.fromkeys(problems)), tuple(dict.fromkeys(unchecked)))


def _helmfile_checks(
    catalogue: Catalogue,
    sources: Sources,
    data: dict,
    problems: list[Problem],
    unchecked: list[Problem],
    guarded: Callable[..., Any],
) -> None:
    """The checks that read helmfile.yaml's environments and releases (``guarded``: report's)."""
    envs = [env.name or DEFAULT_ENV for env in catalogue.environments]
    values = guarded(
        HELMFILE,
        "the environments",
        helmfile.environments,
        sources,
        data,
        envs,
        catalogue.file,
        problems,
        unchecked,
    )
    if values:
        guarded(HELMFILE, "the environments' values", environments.check, catalogue, sources, values, problems)
    releases = data.get("releases") or []
    for release in releases:
        guarded(HELMFILE, "the values files", _release_files, sources, release, problems, unchecked)
    for chart, check in CHART_CHECKS:
        guarded(HELMFILE, f"the {chart} release's values", check, catalogue, sources, releases, problems)
    guarded(HELMFILE, f"the {collector.CHART} release's values", collector.check, sources, releases, problems)


def _release_files(sources: Sources, release: dict, problems: list[Problem], unchecked: list[Problem]) -> None:
    """Every values file of a release exists; the plain ones parse (templates: helmfile.gotmpl)."""
    index = (data.get("releases") or []).index(release) if isinstance(data := sources.data(HELMFILE), dict) else 0
    for position, entry in enumerate(release.get("values") or []):
        if not isinstance(entry, str):
            continue
        if not sources.exists(entry):
            where = ["releases", index, "values", position]
            problems.append(
                sources.at(HELMFILE, where, f"release {release.get('name')!r}: values file {entry} does not exist")
            )
        else:
            helmfile.merged_values(sources, [entry], problems, unchecked)


def _shown_path(file: str, root: Path) -> str:
    """The catalogue's path relative to the stack's root when it lies inside it."""
    try:
        return str(Path(file).resolve().relative_to(root.resolve()))
    except ValueError:
        return file
