"""The platform stack against the catalogue: helmfile.yaml, charts/, deploy/argocd/.

opsgen writes objects that the stack must pick up: ServiceMonitors, PodMonitors and
PrometheusRules labelled ``release: <platform.prometheus.release>``, dashboard ConfigMaps
for the Grafana sidecar, an AlertmanagerConfig that routes alerts from every namespace,
and one output directory per environment that Argo CD applies. ``stack_problems`` reads
the stack's files and says, in one line per problem naming the file, where they disagree
with the catalogue. It reads files only: no helm, helmfile or cluster is needed.

The helmfile's ``*.gotmpl`` values files are rendered here with a minimal subset of Go
templates (``{{ .Values.a.b }}``, ``{{ .Environment.Name }}``, ``| quote``): enough to know
that every environment renders every values file.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue

HELMFILE = "helmfile.yaml"
CHARTS_DIR = "charts"
ARGOCD_DIR = "deploy/argocd"
DIST_DIR = "dist"
DEFAULT_ENV = "default"  # helmfile's name for a catalogue without environments

PROMETHEUS_CHART = "kube-prometheus-stack"
COLLECTOR_CHART = "opentelemetry-collector"
KUBECOST_CHART = "cost-analyzer"
KAFKA_EXPORTER_CHART = "prometheus-kafka-exporter"

# What opsgen's dashboard ConfigMaps carry (the Grafana sidecar must load exactly these)
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"
FOLDER_ANNOTATION = "grafana_folder"

# prometheusSpec selector prefix -> the kind opsgen writes
MONITOR_KINDS = {"serviceMonitor": "ServiceMonitor", "podMonitor": "PodMonitor", "rule": "PrometheusRule"}
ARGOCD_SYNC_OPTIONS = ("ServerSideApply=true", "SkipDryRunOnMissingResource=true")

# Connectors whose pipeline types are fixed: (exporter side, receiver side)
CONNECTOR_TYPES = {"spanmetrics": ("traces", "metrics"), "servicegraph": ("traces", "metrics")}
SIGNALS = ("traces", "metrics", "logs")


class TemplateError(ValueError):
    pass


# -- entry point ---------------------------------------------------------------------------


def stack_problems(catalogue: Catalogue, root: Path) -> list[str]:
    """Every disagreement between the stack files under ``root`` and the catalogue."""
    root = Path(root)
    catalogue = replace(catalogue, file=_shown_path(catalogue.file, root))
    problems: list[str] = []
    envs = [env.name or DEFAULT_ENV for env in catalogue.environments]
    helmfile = _read_yaml(root, HELMFILE, problems)
    if helmfile is not None:
        env_values = _environments(root, helmfile, envs, catalogue.file, problems)
        releases = helmfile.get("releases") or []
        for release in releases:
            _release_values(root, release, env_values, problems)
        _prometheus_stack(catalogue, root, releases, problems)
        _kubecost(catalogue, root, releases, problems)
        _kafka_exporter(catalogue, root, releases, problems)
        _collector(root, releases, problems)
    _release_labels(catalogue, root, problems)
    _argocd(catalogue, root, problems)
    return problems


# -- helmfile ------------------------------------------------------------------------------


def _environments(root: Path, helmfile: dict, envs: list[str], catalogue_file: str, problems: list[str]) -> dict[str, dict]:
    """Each environment's helmfile values; a problem for each catalogue environment it lacks."""
    declared = helmfile.get("environments") or {}
    for env in envs:
        if env not in declared:
            problems.append(f"{HELMFILE}: no environment {env!r}; {catalogue_file} has environments {', '.join(envs)}")
    for env in declared:
        if env not in envs:
            problems.append(f"{HELMFILE}: environment {env!r} is not in {catalogue_file} ({', '.join(envs)})")
    values: dict[str, dict] = {}
    for env, spec in declared.items():
        merged: dict = {}
        for entry in (spec or {}).get("values") or []:
            if isinstance(entry, dict):
                merged = deep_merge(merged, entry)
            else:
                data = _read_yaml(root, entry, problems)
                if data is not None:
                    merged = deep_merge(merged, data)
        values[env] = merged
    return values


def _release_values(root: Path, release: dict, env_values: dict[str, dict], problems: list[str]) -> None:
    """Every values file of a release parses; every template renders in every environment."""
    for entry in release.get("values") or []:
        if not isinstance(entry, str):
            continue
        if entry.endswith(".gotmpl"):
            path = root / entry
            if not path.is_file():
                problems.append(f"{HELMFILE}: release {release.get('name')!r}: values file {entry} does not exist")
                continue
            for env, values in env_values.items():
                try:
                    yaml.safe_load(render_template(path.read_text(encoding="utf-8"), env, values))
                except (TemplateError, yaml.YAMLError) as exc:
                    problems.append(f"{entry}: environment {env}: {_first_line(exc)}")
        else:
            _read_yaml(root, entry, problems)


def release_values(root: Path, release: dict, env: str | None = None, env_values: dict | None = None) -> dict:
    """A release's values merged in helmfile's order; templates only when ``env`` is given."""
    merged: dict = {}
    for entry in release.get("values") or []:
        if isinstance(entry, dict):
            merged = deep_merge(merged, entry)
        elif entry.endswith(".gotmpl"):
            if env is not None:
                text = render_template((Path(root) / entry).read_text(encoding="utf-8"), env, env_values or {})
                merged = deep_merge(merged, yaml.safe_load(text) or {})
        else:
            merged = deep_merge(merged, yaml.safe_load((Path(root) / entry).read_text(encoding="utf-8")) or {})
    return merged


def find_release(releases: list[dict], chart: str) -> dict | None:
    return next((r for r in releases if str(r.get("chart", "")).split("/")[-1] == chart), None)


# -- kube-prometheus-stack -----------------------------------------------------------------


def _prometheus_stack(catalogue: Catalogue, root: Path, releases: list[dict], problems: list[str]) -> None:
    platform, cat = catalogue.platform, catalogue.file
    release = find_release(releases, PROMETHEUS_CHART)
    if release is None:
        problems.append(f"{HELMFILE}: no {PROMETHEUS_CHART} release; opsgen's monitors, rules and dashboards need one")
        return
    name, namespace = release.get("name"), release.get("namespace")
    if name != platform.release:
        problems.append(
            f"{HELMFILE}: the {PROMETHEUS_CHART} release is named {name!r}, but {cat} sets "
            f"platform.prometheus.release to {platform.release!r} (the release label opsgen puts on monitors and rules)"
        )
    if namespace != platform.namespace:
        problems.append(
            f"{HELMFILE}: the {PROMETHEUS_CHART} release is in namespace {namespace!r}, but {cat} sets "
            f"platform.prometheus.namespace to {platform.namespace!r} (where opsgen puts dashboards and alert routing)"
        )
    files = [v for v in release.get("values") or [] if isinstance(v, str) and not v.endswith(".gotmpl")]
    try:
        values = release_values(root, release)
    except (OSError, yaml.YAMLError):
        return  # already reported by _release_values
    where = files[0] if files else HELMFILE

    def at(path: str) -> str:  # the last static values file that sets path, else the first one
        for f in reversed(files):
            try:
                if _get(yaml.safe_load((root / f).read_text(encoding="utf-8")) or {}, path) is not _MISSING:
                    return f
            except (OSError, yaml.YAMLError):
                pass
        return where

    spec = "prometheus.prometheusSpec"
    for kind, kind_name in MONITOR_KINDS.items():
        selector = _get(values, f"{spec}.{kind}Selector")
        # An explicit selector must select on the release label (its value is checked with every other
        # release label in _release_labels); without one the chart selects release=<its release name>.
        if isinstance(selector, dict) and selector:
            labels = selector.get("matchLabels") or {}
            if conv.RELEASE_LABEL not in labels or selector.get("matchExpressions") or len(labels) > 1:
                problems.append(
                    f"{at(f'{spec}.{kind}Selector')}: {spec}.{kind}Selector {_show(selector)} must be "
                    f"matchLabels {{{conv.RELEASE_LABEL}: {platform.release}}}, the only label opsgen puts on every "
                    f"{kind_name} whatever the service"
                )
        ns_selector = _get(values, f"{spec}.{kind}NamespaceSelector")
        if ns_selector not in (_MISSING, {}):
            problems.append(
                f"{at(f'{spec}.{kind}NamespaceSelector')}: {spec}.{kind}NamespaceSelector must be {{}} "
                f"(all namespaces): opsgen writes into every service namespace"
            )

    am = "alertmanager.alertmanagerSpec"
    strategy = _get(values, f"{am}.alertmanagerConfigMatcherStrategy.type")
    if strategy != "None":
        problems.append(
            f"{at(f'{am}.alertmanagerConfigMatcherStrategy')}: {am}.alertmanagerConfigMatcherStrategy.type must be "
            f"'None' (is {_show(strategy)}): otherwise the operator confines opsgen's AlertmanagerConfig to alerts "
            f"from namespace {platform.namespace!r}"
        )
    am_labels = conv.platform_labels(platform, conv.ROUTING_PART)
    selector = _get(values, f"{am}.alertmanagerConfigSelector")
    wanted = (selector.get("matchLabels") or {}) if isinstance(selector, dict) else None
    if not wanted or selector.get("matchExpressions") or any(am_labels.get(k) != v for k, v in wanted.items()):
        problems.append(
            f"{at(f'{am}.alertmanagerConfigSelector')}: {am}.alertmanagerConfigSelector {_show(selector)} does not "
            f"select opsgen's AlertmanagerConfig {conv.alertmanager_config_name(platform)!r} (labels {_show(am_labels)})"
        )
    am_ns = _get(values, f"{am}.alertmanagerConfigNamespaceSelector")
    if am_ns != {} and namespace != platform.namespace:
        problems.append(
            f"{at(f'{am}.alertmanagerConfigNamespaceSelector')}: {am}.alertmanagerConfigNamespaceSelector must be {{}}: "
            f"the AlertmanagerConfig lives in {platform.namespace!r}, Alertmanager in {namespace!r}"
        )

    dash = "grafana.sidecar.dashboards"
    expected = {
        "enabled": True,
        "label": DASHBOARD_LABEL,
        "labelValue": DASHBOARD_LABEL_VALUE,
        "folderAnnotation": FOLDER_ANNOTATION,
        "provider.foldersFromFilesStructure": True,
    }
    for key, want in expected.items():
        got = _get(values, f"{dash}.{key}")
        if got != want:
            problems.append(
                f"{at(f'{dash}.{key}')}: {dash}.{key} must be {_show(want)} (is {_show(got)}): opsgen's dashboard "
                f"ConfigMaps carry {DASHBOARD_LABEL}={DASHBOARD_LABEL_VALUE!r} and the folder "
                f"{platform.grafana_folder!r} in the annotation {FOLDER_ANNOTATION}"
            )
    search = _get(values, f"{dash}.searchNamespace")
    if search != "ALL" and namespace != platform.namespace and not _names(search, platform.namespace):
        problems.append(
            f"{at(f'{dash}.searchNamespace')}: {dash}.searchNamespace must include {platform.namespace!r} "
            f"(or be ALL): opsgen's dashboard ConfigMaps live there"
        )


def prometheus_service(release: str) -> str:
    """The Service of the chart's Prometheus: kube-prometheus-stack's fullname (26 characters) + -prometheus."""
    fullname = release if PROMETHEUS_CHART in release else f"{release}-{PROMETHEUS_CHART}"
    return fullname[:26].rstrip("-") + "-prometheus"


def _kubecost(catalogue: Catalogue, root: Path, releases: list[dict], problems: list[str]) -> None:
    """Kubecost reads the platform Prometheus, whose Service name follows the release name."""
    release = find_release(releases, KUBECOST_CHART)
    if release is None:
        return
    try:
        values = release_values(root, release)
    except (OSError, yaml.YAMLError):
        return
    if _get(values, "global.prometheus.enabled") is not False:
        return  # Kubecost's bundled Prometheus
    fqdn = str(_get(values, "global.prometheus.fqdn"))
    host = f"{prometheus_service(catalogue.platform.release)}.{catalogue.platform.namespace}."
    if f"//{host}" not in fqdn:
        files = [v for v in release.get("values") or [] if isinstance(v, str) and not v.endswith(".gotmpl")]
        problems.append(
            f"{files[0] if files else HELMFILE}: global.prometheus.fqdn is {fqdn!r}; the platform Prometheus of "
            f"{catalogue.file} is http://{host}svc:9090"
        )


def _kafka_exporter(catalogue: Catalogue, root: Path, releases: list[dict], problems: list[str]) -> None:
    """kafka-exporter reads lag from the brokers the catalogue's KEDA triggers use."""
    wanted = catalogue.platform.kafka_bootstrap
    release = find_release(releases, KAFKA_EXPORTER_CHART)
    if wanted is None:
        return
    if release is None:
        problems.append(f"{HELMFILE}: no {KAFKA_EXPORTER_CHART} release: Kafka lag alerts and dashboards would have no data")
        return
    servers = release_values(root, release).get("kafkaServer") or []
    if servers != [wanted]:
        problems.append(
            f"{HELMFILE}: release {release.get('name')!r}: kafkaServer is {_show(servers)}; "
            f"{catalogue.file} has platform.kafka.bootstrapServers {wanted!r}"
        )


def _names(search: Any, namespace: str) -> bool:
    if isinstance(search, str):
        return namespace in [s.strip() for s in search.split(",")]
    return isinstance(search, list) and namespace in search


def _release_labels(catalogue: Catalogue, root: Path, problems: list[str]) -> None:
    """Every ``release:`` label in the charts' values (ServiceMonitors of the stack's own parts)."""
    base = root / CHARTS_DIR
    if not base.is_dir():
        return
    for path in sorted(base.rglob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue  # reported where the helmfile names the file
        for where, value in _label_values(data, conv.RELEASE_LABEL):
            if value != catalogue.platform.release:
                problems.append(
                    f"{path.relative_to(root)}: {where} is {value!r}, but {catalogue.file} sets "
                    f"platform.prometheus.release to {catalogue.platform.release!r}: every release label and selector must use it"
                )


def _label_values(node: Any, label: str, path: str = ""):
    """(path, value) of ``label`` inside every mapping whose key ends in 'abels' (labels, matchLabels …)."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if str(key).endswith("abels") and isinstance(value, dict) and label in value:
                yield f"{here}.{label}", value[label]
            yield from _label_values(value, label, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _label_values(item, label, f"{path}[{i}]")


# -- OpenTelemetry Collector ---------------------------------------------------------------


def _collector(root: Path, releases: list[dict], problems: list[str]) -> None:
    release = find_release(releases, COLLECTOR_CHART)
    if release is None:
        return
    files = [v for v in release.get("values") or [] if isinstance(v, str) and not v.endswith(".gotmpl")]
    try:
        values = release_values(root, release)
    except (OSError, yaml.YAMLError):
        return
    where = files[0] if files else HELMFILE
    problems.extend(f"{where}: {p}" for p in collector_problems(values.get("config") or {}))


def collector_problems(config: dict) -> list[str]:
    """Pipelines of a collector config that name undefined components, or misuse connectors.

    A component is defined when its id (``type`` or ``type/name``) is a key of its section
    with a non-null value (the chart's values remove a default with ``null``).
    """
    problems: list[str] = []

    def defined(section: str) -> set[str]:
        return {k for k, v in (config.get(section) or {}).items() if v is not None}

    receivers, processors = defined("receivers"), defined("processors")
    exporters, connectors = defined("exporters"), defined("connectors")
    for name in ("receivers", "exporters"):
        for kind in (config.get(name) or {}):
            if kind.split("/")[0] == "logging" and config[name][kind] is not None:
                problems.append(f"config.{name}.{kind}: the logging exporter is deprecated; use debug")
    pipelines = ((config.get("service") or {}).get("pipelines")) or {}
    if not pipelines:
        problems.append("config.service.pipelines: no pipeline")
    as_exporter: dict[str, list[str]] = {}
    as_receiver: dict[str, list[str]] = {}
    for pipeline, spec in pipelines.items():
        signal = str(pipeline).split("/")[0]
        if signal not in SIGNALS:
            problems.append(f"config.service.pipelines.{pipeline}: unknown signal {signal!r} (traces, metrics or logs)")
        spec = spec or {}
        for part, known in (("receivers", receivers | connectors), ("processors", processors), ("exporters", exporters | connectors)):
            ids = spec.get(part) or []
            if not ids and part != "processors":
                problems.append(f"config.service.pipelines.{pipeline}.{part}: empty")
            for cid in ids:
                if cid not in known:
                    problems.append(f"config.service.pipelines.{pipeline}.{part}: {cid!r} is not defined in config")
                if cid in connectors and part == "exporters":
                    as_exporter.setdefault(cid, []).append(signal)
                if cid in connectors and part == "receivers":
                    as_receiver.setdefault(cid, []).append(signal)
    for cid in sorted(connectors):
        if cid not in as_exporter or cid not in as_receiver:
            problems.append(
                f"config.connectors.{cid}: a connector must be an exporter of one pipeline and a receiver of another"
            )
            continue
        sides = CONNECTOR_TYPES.get(cid.split("/")[0])
        if sides and (sides[0] not in as_exporter[cid] or sides[1] not in as_receiver[cid]):
            problems.append(f"config.connectors.{cid}: connects {sides[0]} to {sides[1]} pipelines")
    for ext in ((config.get("service") or {}).get("extensions") or []):
        if ext not in (config.get("extensions") or {}):
            problems.append(f"config.service.extensions: {ext!r} is not defined in config.extensions")
    return problems


# -- Argo CD -------------------------------------------------------------------------------


def argocd_file(env_name: str | None) -> str:
    return f"{ARGOCD_DIR}/{env_name or DEFAULT_ENV}.yaml"


def dist_path(env_name: str | None) -> str:
    return "/".join(p for p in (DIST_DIR, conv.env_dir(env_name)) if p)


def _argocd(catalogue: Catalogue, root: Path, problems: list[str]) -> None:
    for env in catalogue.environments:
        name = argocd_file(env.name)
        app = _read_yaml(root, name, problems, required_by=f"environment {env.name or DEFAULT_ENV!r}")
        if app is None:
            continue
        if app.get("kind") != "Application" or not str(app.get("apiVersion", "")).startswith("argoproj.io/"):
            problems.append(f"{name}: not an argoproj.io Application")
            continue
        spec = app.get("spec") or {}
        source = spec.get("source") or {}
        path = str(source.get("path", "")).strip("/")
        if path != dist_path(env.name):
            problems.append(f"{name}: spec.source.path is {path!r}; opsgen writes environment {env.name or DEFAULT_ENV!r} to {dist_path(env.name)!r}")
        if (source.get("directory") or {}).get("recurse") is not True:
            problems.append(f"{name}: spec.source.directory.recurse must be true (dist/ has one folder per namespace)")
        sync = spec.get("syncPolicy") or {}
        options = sync.get("syncOptions") or []
        for option in ARGOCD_SYNC_OPTIONS:
            if option not in options:
                problems.append(f"{name}: spec.syncPolicy.syncOptions lacks {option}")
        if (sync.get("automated") or {}).get("prune") is not True:
            problems.append(f"{name}: spec.syncPolicy.automated.prune must be true (objects removed from dist/ go away)")


# -- helpers -------------------------------------------------------------------------------

_MISSING = object()
_TEMPLATE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)


def render_template(text: str, env: str, values: dict) -> str:
    """The subset of helmfile's Go templates the stack uses: ``.Values.x.y``, ``.Environment.Name``, ``| quote``."""

    def one(match: re.Match) -> str:
        expr, *pipes = [p.strip() for p in match.group(1).split("|")]
        if expr == ".Environment.Name":
            value: Any = env
        elif expr.startswith(".Values."):
            value = _get(values, expr[len(".Values."):])
            if value is _MISSING:
                raise TemplateError(f"{expr}: no such value in environments/{env}")
        else:
            raise TemplateError(f"unsupported template expression {{{{ {match.group(1).strip()} }}}}")
        quoted = False
        for pipe in pipes:
            if pipe != "quote":
                raise TemplateError(f"unsupported template function {pipe!r}")
            value, quoted = json.dumps(str(value)), True
        if quoted:
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            raise TemplateError(f"{expr} is a {type(value).__name__}; use toYaml (unsupported here)")
        return str(value)

    return _TEMPLATE.sub(one, text)


def deep_merge(base: Any, over: Any) -> Any:
    """Helm's merge of values: maps merge, a null deletes, anything else replaces."""
    if not isinstance(base, dict) or not isinstance(over, dict):
        return over
    out = dict(base)
    for key, value in over.items():
        if value is None:
            out.pop(key, None)
        elif key in out:
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def _get(data: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return _MISSING
        data = data[part]
    return data


def _show(value: Any) -> str:
    return "unset" if value is _MISSING else json.dumps(value, sort_keys=True)


def _shown_path(file: str, root: Path) -> str:
    """The catalogue's path relative to the stack's root when it lies inside it."""
    try:
        return str(Path(file).resolve().relative_to(root.resolve()))
    except ValueError:
        return file


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _read_yaml(root: Path, name: str, problems: list[str], required_by: str | None = None) -> Any:
    path = Path(root) / name
    if not path.is_file():
        why = f" (needed for {required_by})" if required_by else ""
        problems.append(f"{name}: missing{why}")
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problems.append(f"{name}: not valid YAML: {_first_line(exc)}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{name}: expected a mapping at the top")
        return None
    return data
