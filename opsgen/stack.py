"""The platform stack against the catalogue: helmfile.yaml, charts/, deploy/argocd/.

opsgen writes objects that the stack must pick up: ServiceMonitors, PodMonitors and
PrometheusRules labelled ``release: <platform.prometheus.release>``, dashboard ConfigMaps
for the Grafana sidecar, an AlertmanagerConfig that routes alerts from every namespace,
and one output directory per environment that Argo CD applies. ``stack_report`` reads
the stack's files and says, in one line per problem naming the file, where they disagree
with the catalogue. It reads files only: no helm, helmfile or cluster is needed.

It reads plain YAML only. helmfile renders Go templates (``*.gotmpl`` values files, a
templated helmfile.yaml, ``bases:`` and ``helmfiles:``), and opsgen has no renderer for
them: what depends on them is reported as "not checked (needs helmfile)", never as a
problem. A helmfile whose shape it cannot read is "not checked" too, with the reason.
"""
from __future__ import annotations

import json
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


NEEDS_HELMFILE = "not checked (needs helmfile)"


class Findings(list):
    """Problems (the list) and what could not be checked, with why (``unchecked``)."""

    def __init__(self) -> None:
        super().__init__()
        self.unchecked: list[str] = []


# -- entry point ---------------------------------------------------------------------------


def stack_problems(catalogue: Catalogue, root: Path) -> list[str]:
    """Every disagreement between the stack files under ``root`` and the catalogue."""
    return stack_report(catalogue, root)[0]


def stack_report(catalogue: Catalogue, root: Path) -> tuple[list[str], list[str]]:
    """(every disagreement between the stack files under ``root`` and the catalogue,
    every part that could not be checked and why)."""
    root = Path(root)
    catalogue = replace(catalogue, file=_shown_path(catalogue.file, root))
    problems = Findings()
    envs = [env.name or DEFAULT_ENV for env in catalogue.environments]
    helmfile = _readable_helmfile(root, problems)
    if helmfile is not None:
        _guarded(problems, f"{HELMFILE}: the environments", _environments, root, helmfile, envs, catalogue.file, problems)
        releases = helmfile.get("releases") or []
        for release in releases:
            _guarded(problems, f"{HELMFILE}: the values files", _release_values, root, release, problems)
        for check, chart in ((_prometheus_stack, PROMETHEUS_CHART), (_kubecost, KUBECOST_CHART), (_kafka_exporter, KAFKA_EXPORTER_CHART)):
            _guarded(problems, f"{HELMFILE}: the {chart} release's values", check, catalogue, root, releases, problems)
        _guarded(problems, f"{HELMFILE}: the {COLLECTOR_CHART} release's values", _collector, root, releases, problems)
    _guarded(problems, f"{CHARTS_DIR}: the release labels", _release_labels, catalogue, root, problems)
    _guarded(problems, f"{ARGOCD_DIR}: the Applications", _argocd, catalogue, root, problems)
    return list(problems), problems.unchecked


def _guarded(problems: Findings, what: str, check, *args) -> None:
    """Run one check; a file shaped unlike what it reads (a list where a mapping is
    expected …) makes it "not checked", never a traceback or a false failure."""
    try:
        check(*args)
    except (OSError, yaml.YAMLError):
        pass  # a values file that is missing or not YAML is reported where the helmfile names it
    except (AttributeError, TypeError, KeyError, IndexError, ValueError) as exc:
        file, _, subject = what.partition(": ")
        problems.unchecked.append(f"{file}: not checked: {subject}: a value has a shape opsgen does not read ({type(exc).__name__}: {exc})")


# -- reading helmfile.yaml -----------------------------------------------------------------


def _readable_helmfile(root: Path, problems: Findings) -> dict | None:
    """helmfile.yaml when opsgen can read it as plain YAML of the expected shape, else None
    with the reason in ``problems.unchecked``."""
    path = root / HELMFILE
    if not path.is_file():
        problems.unchecked.append(f"{HELMFILE}: not checked: there is no {HELMFILE} in {root}")
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.unchecked.append(f"{HELMFILE}: not checked: not plain YAML opsgen can read ({_first_line(exc)})")
        return None
    if why := _template_use(text, data):
        problems.unchecked.append(f"{HELMFILE}: {NEEDS_HELMFILE}: it {why}")
        return None
    if why := _shape(data):
        problems.unchecked.append(f"{HELMFILE}: not checked: {why}")
        return None
    return data


def _template_use(text: str, data: Any) -> str | None:
    if "{{" in text:
        return "uses Go templates, which only helmfile renders"
    layered = [key for key in ("bases", "helmfiles") if isinstance(data, dict) and data.get(key)]
    return f"uses {' and '.join(layered)}: its releases live in files only helmfile assembles" if layered else None


def _shape(data: Any) -> str | None:
    """Why the helmfile is not shaped as helmfile reads it (None when it is)."""
    if not isinstance(data, dict):
        return f"the top is {_kind(data)}, not a mapping"
    envs, releases = data.get("environments"), data.get("releases")
    if envs is not None and not isinstance(envs, dict):
        return f"environments is {_kind(envs)}, not a mapping of environment names"
    for name, spec in (envs or {}).items():
        if spec is not None and not isinstance(spec, dict):
            return f"environments.{name} is {_kind(spec)}, not a mapping"
        if why := _values_shape(f"environments.{name}.values", (spec or {}).get("values")):
            return why
    if releases is not None and not isinstance(releases, list):
        return f"releases is {_kind(releases)}, not a list"
    for index, release in enumerate(releases or []):
        if not isinstance(release, dict):
            return f"releases[{index}] is {_kind(release)}, not a mapping"
        if bad := [k for k in ("name", "namespace", "chart") if k in release and not isinstance(release[k], str)]:
            return f"releases[{index}].{bad[0]} is {_kind(release[bad[0]])}, not a string"
        if why := _values_shape(f"releases[{index}].values", release.get("values")):
            return why
    return None


def _values_shape(where: str, values: Any) -> str | None:
    if values is not None and not isinstance(values, list):
        return f"{where} is {_kind(values)}, not a list"
    bad = [i for i, entry in enumerate(values or []) if not isinstance(entry, (str, dict))]
    return f"{where}[{bad[0]}] is {_kind(values[bad[0]])}, not a file name or a mapping" if bad else None


def _kind(value: Any) -> str:
    name = type(value).__name__
    return "empty" if value is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _gotmpl(problems: Findings, entry: str) -> None:
    note = f"{entry}: {NEEDS_HELMFILE}: a Go template helmfile renders per environment; opsgen reads plain YAML only"
    if note not in problems.unchecked:
        problems.unchecked.append(note)


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
            elif entry.endswith(".gotmpl"):
                _gotmpl(problems, entry)
            else:
                data = _read_yaml(root, entry, problems)
                if data is not None:
                    merged = deep_merge(merged, data)
        values[env] = merged
    return values


def _release_values(root: Path, release: dict, problems: Findings) -> None:
    """Every values file of a release exists; the plain ones parse (templates: see _gotmpl)."""
    for entry in release.get("values") or []:
        if not isinstance(entry, str):
            continue
        if not (root / entry).is_file():
            problems.append(f"{HELMFILE}: release {release.get('name')!r}: values file {entry} does not exist")
        elif entry.endswith(".gotmpl"):
            _gotmpl(problems, entry)
        else:
            _read_yaml(root, entry, problems)


def release_values(root: Path, release: dict) -> dict:
    """A release's plain values merged in helmfile's order. ``*.gotmpl`` files are left
    out: only helmfile renders them (their checks are "not checked (needs helmfile)")."""
    merged: dict = {}
    for entry in release.get("values") or []:
        if isinstance(entry, dict):
            merged = deep_merge(merged, entry)
        elif not entry.endswith(".gotmpl"):
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
    _duplicate_rules(values, at, problems)


def _duplicate_rules(values: dict, at, problems: list[str]) -> None:
    """The stack's default rules that duplicate an opsgen alert are switched off: the same
    condition would otherwise reach the same receivers twice (conventions.STACK_DUPLICATES)."""
    for rule, ours in conv.STACK_DUPLICATES.items():
        key = f"{conv.STACK_DISABLED_RULES}.{rule}"
        if _get(values, key) is not True:
            problems.append(
                f"{at(key)}: {key} must be true (is {_show(_get(values, key))}): {PROMETHEUS_CHART}'s {rule} fires "
                f"for the same condition as opsgen's {ours}, and both would notify"
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
