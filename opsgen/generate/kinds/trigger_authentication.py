"""KEDA TriggerAuthentication: Kafka credentials by Secret reference, never by value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.conventions import TRIGGER_AUTH_SYNC_WAVE
from opsgen.generate.kinds.base import Manifest, ObjectMeta, require, with_sync_wave

if TYPE_CHECKING:  # loaded once the engine is started (synth/engine.py)
    from constructs import Construct

SASL_KEYS = ("sasl", "username", "password")
TLS_KEYS = ("tls", "ca")


@dataclass(frozen=True)
class TriggerAuthenticationProps:
    """meta: name, namespace, labels.
    secret: name of a Secret in the same namespace.
    tls: also map the Secret's tls and ca keys (default False).
    sync_wave: Argo CD sync wave, after the Namespace and before the ScaledObjects that
    reference it (default "0"; None: no annotation)."""

    meta: ObjectMeta
    secret: str
    tls: bool = False
    sync_wave: str | None = TRIGGER_AUTH_SYNC_WAVE

    def __post_init__(self) -> None:
        require(self.meta.namespace is not None, "a TriggerAuthentication is namespaced")
        require(bool(self.secret), "secret must be named")


class TriggerAuthentication(Manifest):
    def __init__(self, scope: Construct, props: TriggerAuthenticationProps):
        keys = SASL_KEYS + (TLS_KEYS if props.tls else ())
        refs = [{"parameter": key, "name": props.secret, "key": key} for key in keys]
        spec = {"secretTargetRef": refs}
        super().__init__(
            scope,
            api_version="keda.sh/v1alpha1",
            kind="TriggerAuthentication",
            meta=with_sync_wave(props.meta, props.sync_wave),
            body={"spec": spec},
        )
