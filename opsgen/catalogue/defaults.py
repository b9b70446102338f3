"""Defaults live in the schema (schema.py: ``default`` beside each field's
description, which docs/catalogue.md shows) and are applied from it, as cfgv's
``apply_defaults`` does: the model reads a catalogue whose every defaulted key is
present, and its dataclasses take their defaults from here too.

A mapping the catalogue leaves out is filled only when its schema has a default
of its own (``platform.prometheus: {}``); one that is absent otherwise means
"none" (no ``metrics``: no monitor). Defaults that depend on other values (the
Grafana folder is the platform's name, a consumer group the service's) are the
model's, and the schema's descriptions say so.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from opsgen.catalogue import schema

_DEFINITIONS = "#/definitions/"


def apply_defaults(data: Any, node: dict[str, Any], root: dict[str, Any] | None = None) -> Any:
    """``data`` with the defaults of ``node`` (a schema within ``root``) filled in, recursively;
    ``data`` itself is not modified."""
    root = root or node
    node = _resolved(node, root)
    if isinstance(data, dict) and "properties" in node:
        out = dict(data)
        for key, sub in node["properties"].items():
            sub = _resolved(sub, root)
            if key not in out and "default" in sub:
                out[key] = copy.deepcopy(sub["default"])
            if key in out:
                out[key] = apply_defaults(out[key], sub, root)
        return out
    if isinstance(data, list) and isinstance(node.get("items"), dict):
        return [apply_defaults(item, node["items"], root) for item in data]
    return data


def _resolved(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_DEFINITIONS):
        return root["definitions"][ref[len(_DEFINITIONS) :]]
    return node


@cache
def default(*path: str) -> Any:
    """The schema's default of the field at ``path`` ("platform", "prometheus", "release";
    a list's entries are its items: "services", "metrics", "path"), for the model's dataclasses."""
    node: dict[str, Any] = schema.CATALOGUE
    for part in path:
        node = _resolved(node["properties"][part], schema.CATALOGUE)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            node = _resolved(node["items"], schema.CATALOGUE)
    value = node["default"]
    return tuple(value) if isinstance(value, list) else value
