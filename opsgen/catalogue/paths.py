"""Paths into the catalogue's data, and how messages show them (shared by the rule modules)."""

from __future__ import annotations

import reprlib
from collections.abc import Sequence
from typing import Any


def get(data: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        data = data[part]
    return data


def text(item: Any, key: str) -> str | None:
    value = item.get(key) if isinstance(item, dict) else None
    return value if isinstance(value, str) else None


def display(path: Sequence[str | int]) -> str:
    """A path as users write it: ``services[2].scaling.maxReplicas``; fields of a
    service are shown relative to it, as the contract's messages are."""
    if len(path) > 2 and path[0] == "services" and isinstance(path[1], int):
        path = path[2:]
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def mapping(item: dict, key: str) -> dict | None:
    value = item.get(key)
    return value if isinstance(value, dict) else None


def alert_paths(data: dict) -> list[tuple[str | int, ...]]:
    """Paths of every alert in the catalogue: top-level first, then per service."""
    top = data.get("alerts")
    paths: list[tuple[str | int, ...]] = [("alerts", i) for i in range(len(top if isinstance(top, list) else []))]
    for index, service in enumerate(data["services"]):
        alerts = service.get("alerts") if isinstance(service, dict) else None
        paths += [("services", index, "alerts", i) for i in range(len(alerts if isinstance(alerts, list) else []))]
    return paths


def all_alert_paths(data: dict) -> list[tuple[str | int, ...]]:
    """alert_paths plus the alerts of every environment override."""
    paths = alert_paths(data)
    for index, service in enumerate(data["services"]):
        overrides = service.get("environments") if isinstance(service, dict) else None
        for env, override in overrides.items() if isinstance(overrides, dict) else ():
            alerts = override.get("alerts") if isinstance(override, dict) else None
            base = ("services", index, "environments", env, "alerts")
            paths += [base + (i,) for i in range(len(alerts if isinstance(alerts, list) else []))]
    return paths


class Shown:
    """A value as an error message shows it: its repr, cut short (a whole
    mapping written where a string belongs must not fill the terminal)."""

    LIMIT = 80  # a whole over-long name (64+ characters) still shows

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = _REPR.repr(self.value)  # bounded work, even for an aliased giant
        return text if len(text) <= self.LIMIT else text[: self.LIMIT - 3] + "..."


_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlevel = 200, 200, 3


def type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    for name, kind in (("object", dict), ("array", list), ("string", str), ("integer", int), ("number", float)):
        if isinstance(value, kind):
            return name
    return "string"
