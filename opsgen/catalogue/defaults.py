"""Defaults live in the schema (schema.py: ``default`` beside each field's
description, which docs/catalogue.md shows) and are applied from it: the model
reads every absent key's default here, by its path, and its dataclasses take
their defaults from here too, so a default is written once.

Defaults that depend on other values (the Grafana folder is the platform's name,
a consumer group the service's, the backlog what scaling cannot absorb) are the
model's, and the schema's descriptions say so.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from opsgen.catalogue import schema

_DEFINITIONS = "#/definitions/"


def _resolved(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFINITIONS):
        return root["definitions"][ref[len(_DEFINITIONS) :]]
    return node


@cache
def default(*path: str) -> Any:
    """The schema's default of the field at ``path`` ("platform", "prometheus", "release";
    a list's entries are its items: "services", "metrics", "path"; "*" a map's values:
    "environments", "*", "maxSeverity")."""
    node: dict[str, Any] = schema.CATALOGUE
    for part in path:  # "*": any key of a map (environments.<env>)
        node = _resolved(node["additionalProperties"] if part == "*" else node["properties"][part], schema.CATALOGUE)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            node = _resolved(node["items"], schema.CATALOGUE)
    value = node["default"]
    return tuple(value) if isinstance(value, list) else value
