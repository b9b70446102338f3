"""The one way a construct of this library becomes a Kubernetes object."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from opsgen.conventions import (
    CUSTOM_RESOURCE_GROUPS,
    CUSTOM_RESOURCE_SYNC_OPTIONS,
    SYNC_OPTIONS_ANNOTATION,
    SYNC_WAVE_ANNOTATION,
)
from opsgen.generate.batch import Identity
from opsgen.synth.assembly import to_json_text

if TYPE_CHECKING:  # cdk8s and constructs load only once the engine is started (synth/engine.py)
    from cdk8s import Chart
    from constructs import Construct

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


@dataclass(frozen=True)
class ObjectMeta:
    """Metadata of a generated object.

    name: a DNS-1123 subdomain; also the construct id within its chart.
    namespace: None for cluster-scoped kinds.
    labels, annotations: copied as given (default: none).
    """

    name: str
    namespace: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        require(bool(_DNS_SUBDOMAIN.match(self.name)), f"name {self.name!r} is not a DNS-1123 subdomain")
        if self.namespace is not None:
            require(bool(_DNS_LABEL.match(self.namespace)), f"namespace {self.namespace!r} is not a DNS-1123 label")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        if self.namespace is not None:
            out["namespace"] = self.namespace
        if self.labels:
            out["labels"] = dict(self.labels)
        if self.annotations:
            out["annotations"] = dict(self.annotations)
        return out


def with_sync_options(meta: ObjectMeta, options: tuple[str, ...]) -> ObjectMeta:
    """``meta`` with Argo CD sync ``options`` added to its sync-options annotation
    (one annotation, options joined with "," as Argo CD reads them; none repeated)."""
    present = [o.strip() for o in meta.annotations.get(SYNC_OPTIONS_ANNOTATION, "").split(",") if o.strip()]
    merged = present + [o for o in options if o not in present]
    if not merged:
        return meta
    annotations = {**meta.annotations, SYNC_OPTIONS_ANNOTATION: ",".join(merged)}
    return ObjectMeta(meta.name, meta.namespace, meta.labels, annotations)


def with_sync_wave(meta: ObjectMeta, wave: str | None) -> ObjectMeta:
    """``meta`` in Argo CD sync ``wave`` (unchanged when None)."""
    if wave is None:
        return meta
    return ObjectMeta(meta.name, meta.namespace, meta.labels, {**meta.annotations, SYNC_WAVE_ANNOTATION: wave})


def require(condition: bool, message: str) -> None:
    """Props checks: a broken prop is a bug in the caller, never user input."""
    if not condition:
        raise ValueError(message)


def require_label_name(label: str) -> None:
    """A Prometheus (and Alertmanager) label name."""
    require(_is_label_name(label), f"{label!r} is not a label name")


@lru_cache(maxsize=4096)
def _is_label_name(label: str) -> bool:  # a few names, checked for every rule
    return bool(_LABEL_NAME.match(label))


class Manifest:
    """One Kubernetes object of a chart, built from a finished body (``spec``,
    ``data``).

    The object is checked and serialized here, and becomes a cdk8s ApiObject
    (a ``JsonApiObject``) of ``scope`` when the chart is synthesized (``synth``):
    all of a chart's objects cross to cdk8s in one jsii call instead of one
    call each. Each object also records its identity on the Python side of its
    scope (see ``created``), so output can be split into files without asking cdk8s."""

    def __init__(self, scope: Construct, *, api_version: str, kind: str, meta: ObjectMeta, body: Mapping[str, Any]):
        if api_group(api_version) in CUSTOM_RESOURCE_GROUPS:
            meta = with_sync_options(meta, CUSTOM_RESOURCE_SYNC_OPTIONS)
        self.manifest = {"apiVersion": api_version, "kind": kind, "metadata": meta.to_json(), **body}
        self.id = construct_id(kind, meta)
        _pending(scope).append(to_json_text([self.id, self.manifest]))
        created(scope).append((kind, meta.namespace, meta.name))
        inventory(scope).add((api_group(api_version), kind, meta.namespace, None if meta.namespace else meta.name))


def construct_id(kind: str, meta: ObjectMeta) -> str:
    """The id of an object in its chart, unique by construction: ``_`` occurs in
    neither a kind, a namespace (DNS-1123 label) nor a name (DNS-1123 subdomain),
    so ``<kind>_<namespace>_<name>`` never joins two objects into one id (with
    ``-``, a-b/c and a/b-c did). Ids do not reach the output: names are explicit."""
    return f"{kind}_{meta.namespace or ''}_{meta.name}"


def created(scope: Construct) -> list[Identity]:
    """(kind, namespace, name) of every Manifest created in ``scope``, in order."""
    return _registry(scope, "_opsgen_created")


def api_group(api_version: str) -> str:
    """The API group of an apiVersion: "" for the core group (``v1``)."""
    return api_version.rpartition("/")[0]


Stock = tuple[str, str, "str | None", "str | None"]  # (API group, kind, namespace, name if cluster-scoped)


def inventory(scope: Construct) -> set[Stock]:
    """(API group, kind, namespace or None, name of a cluster-scoped object) of every
    Manifest ever created in ``scope``; unlike ``created``, never taken out by
    take_pending: what the output holds, for the Argo CD AppProject that must allow
    it (generate/argocd.py). Namespaced objects are many, cluster-scoped ones few:
    only theirs are named, so the set stays as small as the kinds and namespaces."""
    found = getattr(scope, "_opsgen_inventory", None)
    if found is None:
        found = set()
        setattr(scope, "_opsgen_inventory", found)  # noqa: B010  # a Python-side attribute (no jsii call) the type does not declare
    return found


@dataclass(frozen=True)
class Pending:
    """Manifests taken from a chart before they cross to cdk8s.

    manifests: a JSON array of [construct id, manifest] pairs.
    identities: (kind, namespace, name) of each, in order (as ``created`` lists them)."""

    manifests: str
    identities: tuple[Identity, ...]


def take_pending(chart: Chart) -> Pending:
    """The Manifests created in ``chart`` since the last call, taken out of its
    queue (and out of ``created``); no jsii call, so the next batch can be built
    while this one is synthesized (``synth_taken``)."""
    pending, identities = _pending(chart), created(chart)
    taken = Pending("[" + ",".join(pending) + "]", tuple(identities))
    pending.clear()
    identities.clear()
    return taken


def pending_size(chart: Chart) -> int:
    """Characters of JSON queued in ``chart`` for the next synthesis."""
    return sum(map(len, _pending(chart)))


def _pending(scope: Construct) -> list[str]:
    """[id, manifest] of every Manifest of ``scope`` not yet added, as JSON."""
    return _registry(scope, "_opsgen_pending")


def _registry(scope: Construct, attribute: str) -> list:
    registry = getattr(scope, attribute, None)
    if registry is None:
        registry = []
        setattr(scope, attribute, registry)  # a Python-side attribute: no jsii call
    return registry
