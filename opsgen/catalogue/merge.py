"""Per-environment service overrides: deep merge, and where a merged value came from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from opsgen.catalogue.load import Document
from opsgen.errors import Location


def deep_merge(base: dict[str, Any], override: dict[str, Any] | None, *, null_deletes: bool = False) -> dict[str, Any]:
    """Mappings merge key by key; lists and scalars in ``override`` replace. With
    ``null_deletes`` (Helm's merge of values files), a null removes the key; in a
    catalogue override a null is a value like any other. Inputs are not modified."""
    merged = dict(base)
    for key, value in (override or {}).items():
        if value is None and null_deletes:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value, null_deletes=null_deletes)
        else:
            merged[key] = value
    return merged


def service_in(service: dict[str, Any], env: str | None) -> dict[str, Any]:
    """The service as it is in environment ``env`` (None: the single unnamed one)."""
    overrides = service.get("environments") or {}
    merged = deep_merge(service, overrides.get(env) if env else None)
    merged.pop("environments", None)
    return merged


def has_path(data: Any, path: Sequence[str | int]) -> bool:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return False
    return True


def service_locator(doc: Document, index: int, env: str | None):
    """A function from a service-relative path to the place it is written,
    preferring the environment's override where it sets that path."""
    base = ("services", index)
    override = base + ("environments", env) if env else None

    def locate(path: Sequence[str | int], *, value: bool = False) -> Location:
        if override and path and has_path(doc.data, override + tuple(path)):
            return doc.locate(override + tuple(path), value=value)
        return doc.locate(base + tuple(path), value=value)

    return locate
