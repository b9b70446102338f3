"""kube-prometheus-stack's values against the catalogue: the release's name and
namespace, the selectors that must pick up opsgen's monitors, rules and
AlertmanagerConfig, the Grafana sidecar that loads its dashboards, and the default
rules that duplicate opsgen's alerts switched off."""

from __future__ import annotations

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue
from opsgen.errors import Problem
from opsgen.stack.helmfile import HELMFILE, find_release, release_values
from opsgen.stack.read import MISSING, Sources, get, show

CHART = "kube-prometheus-stack"
SPEC = "prometheus.prometheusSpec"
ALERTMANAGER = "alertmanager.alertmanagerSpec"
DASHBOARDS = "grafana.sidecar.dashboards"
# prometheusSpec selector prefix -> the kind opsgen writes
MONITOR_KINDS = {"serviceMonitor": "ServiceMonitor", "podMonitor": "PodMonitor", "rule": "PrometheusRule"}
SIDECAR = {  # what the Grafana sidecar must be set to so that it loads opsgen's dashboard ConfigMaps
    "enabled": True,
    "label": conv.GRAFANA_DASHBOARD_LABEL,
    "labelValue": conv.GRAFANA_DASHBOARD_VALUE,
    "folderAnnotation": conv.GRAFANA_FOLDER_ANNOTATION,
    "provider.foldersFromFilesStructure": True,
}


class Values:
    """A release's merged values, and where each dotted path is set: the last plain
    values file that sets it, else the first one."""

    def __init__(self, sources: Sources, release: dict):
        self.sources = sources
        self.merged, self.files = release_values(sources, release)

    def get(self, dotted: str):
        return get(self.merged, dotted)

    def at(self, dotted: str, message: str) -> Problem:
        return self.sources.set_in(self.files, dotted, message, HELMFILE)


def check(catalogue: Catalogue, sources: Sources, releases: list[dict], problems: list[Problem]) -> None:
    platform, cat = catalogue.platform, catalogue.file
    release = find_release(releases, CHART)
    if release is None:
        problems.append(
            sources.at(HELMFILE, ["releases"], f"no {CHART} release; opsgen's monitors, rules and dashboards need one")
        )
        return
    index = releases.index(release)
    namespace = release.get("namespace")
    wanted = (  # (key, what the catalogue says, its field, what opsgen does with it)
        (
            "name",
            platform.release,
            "platform.prometheus.release",
            "the release label opsgen puts on monitors and rules",
        ),
        (
            "namespace",
            platform.namespace,
            "platform.prometheus.namespace",
            "where opsgen puts dashboards and alert routing",
        ),
    )
    for key, value, field, why in wanted:
        if release.get(key) != value:
            what = "named" if key == "name" else "in namespace"
            message = f"the {CHART} release is {what} {release.get(key)!r}, but {cat} sets {field} to {value!r} ({why})"
            problems.append(sources.at(HELMFILE, ["releases", index, key], message))
    values = Values(sources, release)
    problems.extend(_selectors(values, platform.release))
    problems.extend(_alertmanager(values, catalogue, namespace))
    problems.extend(_sidecar(values, catalogue, namespace))
    problems.extend(_duplicate_rules(values))


def _duplicate_rules(values: Values) -> list[Problem]:
    """The stack's default rules that duplicate an opsgen alert are switched off: the same
    condition would otherwise reach the same receivers twice (conventions.STACK_DUPLICATES)."""
    out = []
    for rule, ours in conv.STACK_DUPLICATES.items():
        path = f"{conv.STACK_DISABLED_RULES}.{rule}"
        if values.get(path) is not True:
            out.append(
                values.at(
                    path,
                    f"{path} must be true (is {show(values.get(path))}): {CHART}'s {rule} fires for the "
                    f"same condition as opsgen's {ours}, and both would notify",
                )
            )
    return out


def _selectors(values: Values, release: str) -> list[Problem]:
    out = []
    for kind, kind_name in MONITOR_KINDS.items():
        path = f"{SPEC}.{kind}Selector"
        selector = values.get(path)
        # An explicit selector must select on the release label (its value is checked with every other
        # release label in labels.py); without one the chart selects release=<its release name>.
        if isinstance(selector, dict) and selector:
            labels = selector.get("matchLabels") or {}
            if conv.RELEASE_LABEL not in labels or selector.get("matchExpressions") or len(labels) > 1:
                out.append(
                    values.at(
                        path,
                        f"{path} {show(selector)} must be matchLabels {{{conv.RELEASE_LABEL}: {release}}}, "
                        f"the only label opsgen puts on every {kind_name} whatever the service",
                    )
                )
        path = f"{SPEC}.{kind}NamespaceSelector"
        if values.get(path) not in (MISSING, {}):
            out.append(
                values.at(path, f"{path} must be {{}} (all namespaces): opsgen writes into every service namespace")
            )
    return out


def _alertmanager(values: Values, catalogue: Catalogue, namespace: object) -> list[Problem]:
    platform, out = catalogue.platform, []
    path = f"{ALERTMANAGER}.alertmanagerConfigMatcherStrategy"
    strategy = values.get(f"{path}.type")
    if strategy != "None":
        out.append(
            values.at(
                path,
                f"{path}.type must be 'None' (is {show(strategy)}): otherwise the operator confines "
                f"opsgen's AlertmanagerConfig to alerts from namespace {platform.namespace!r}",
            )
        )
    labels = conv.platform_labels(platform, conv.ROUTING_PART)
    path = f"{ALERTMANAGER}.alertmanagerConfigSelector"
    selector = values.get(path)
    wanted = (selector.get("matchLabels") or {}) if isinstance(selector, dict) else None
    if not wanted or selector.get("matchExpressions") or any(labels.get(k) != v for k, v in wanted.items()):
        out.append(
            values.at(
                path,
                f"{path} {show(selector)} does not select opsgen's AlertmanagerConfig "
                f"{conv.alertmanager_config_name(platform)!r} (labels {show(labels)})",
            )
        )
    path = f"{ALERTMANAGER}.alertmanagerConfigNamespaceSelector"
    if values.get(path) != {} and namespace != platform.namespace:
        out.append(
            values.at(
                path,
                f"{path} must be {{}}: the AlertmanagerConfig lives in {platform.namespace!r}, "
                f"Alertmanager in {namespace!r}",
            )
        )
    return out


def _sidecar(values: Values, catalogue: Catalogue, namespace: object) -> list[Problem]:
    platform, out = catalogue.platform, []
    for key, want in SIDECAR.items():
        path = f"{DASHBOARDS}.{key}"
        got = values.get(path)
        if got != want:
            out.append(
                values.at(
                    path,
                    f"{path} must be {show(want)} (is {show(got)}): opsgen's dashboard ConfigMaps carry "
                    f"{conv.GRAFANA_DASHBOARD_LABEL}={conv.GRAFANA_DASHBOARD_VALUE!r} and the folder "
                    f"{platform.grafana_folder!r} in the annotation {conv.GRAFANA_FOLDER_ANNOTATION}",
                )
            )
    path = f"{DASHBOARDS}.searchNamespace"
    search = values.get(path)
    if search != "ALL" and namespace != platform.namespace and not _names(search, platform.namespace):
        out.append(
            values.at(
                path,
                f"{path} must include {platform.namespace!r} (or be ALL): opsgen's dashboard ConfigMaps live there",
            )
        )
    return out


def _names(search: object, namespace: str) -> bool:
    if isinstance(search, str):
        return namespace in [s.strip() for s in search.split(",")]
    return isinstance(search, list) and namespace in search


def service(release: str) -> str:
    """The Service of the chart's Prometheus: kube-prometheus-stack's fullname (26 characters) + -prometheus."""
    fullname = release if CHART in release else f"{release}-{CHART}"
    return fullname[:26].rstrip("-") + "-prometheus"
