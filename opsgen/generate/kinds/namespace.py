"""Namespace, labelled so that Goldilocks recommends resource requests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.conventions import GOLDILOCKS_LABEL, NAMESPACE_SYNC_OPTIONS, NAMESPACE_SYNC_WAVE, SYNC_WAVE_ANNOTATION
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require, with_sync_options

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct


@dataclass(frozen=True)
class NamespaceProps:
    """meta: name and labels (namespace must be None: the kind is cluster-scoped).
    goldilocks: add goldilocks.fairwinds.com/enabled: "true" (default True).
    sync_wave: Argo CD sync wave, earlier than the objects inside (default "-1").
    sync_options: Argo CD sync options (default Prune=false,Delete=false: the namespace
    holds workloads opsgen does not own, so Argo CD must never prune or delete it)."""

    meta: ObjectMeta
    goldilocks: bool = True
    sync_wave: str | None = NAMESPACE_SYNC_WAVE
    sync_options: tuple[str, ...] = NAMESPACE_SYNC_OPTIONS

    def __post_init__(self) -> None:
        require(self.meta.namespace is None, "a Namespace is cluster-scoped: meta.namespace must be None")


class Namespace(Manifest):
    def __init__(self, scope: Construct, props: NamespaceProps):
        labels = dict(props.meta.labels)
        if props.goldilocks:
            labels[GOLDILOCKS_LABEL] = "true"
        annotations = dict(props.meta.annotations)
        if props.sync_wave is not None:
            annotations[SYNC_WAVE_ANNOTATION] = props.sync_wave
        meta = with_sync_options(ObjectMeta(props.meta.name, None, labels, annotations), props.sync_options)
        super().__init__(scope, api_version="v1", kind="Namespace", meta=meta, body={})
