"""A release's values per environment, for tests of this repository's own chart values.

The stack check (opsgen/stack/) never evaluates helmfile templates by hand: it checks
plain values and reports templates as "not checked (needs helmfile)". These tests
still need each environment's values, so they render the repository's own
``environment.yaml.gotmpl`` files with the few template forms those files use
(``.Values.a.b``, ``.Environment.Name``, ``| quote``); anything else fails loudly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from opsgen import stack
from opsgen.catalogue.merge import deep_merge
from opsgen.stack import helmfile as helmfile_module
from opsgen.stack.read import Sources

_TEMPLATE = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)


def render(text: str, env: str, values: dict) -> str:
    def one(match: re.Match) -> str:
        expr, *pipes = [p.strip() for p in match.group(1).split("|")]
        value = env if expr == ".Environment.Name" else _get(values, expr.removeprefix(".Values."), expr)
        if pipes:
            assert pipes == ["quote"], f"unsupported template pipeline in {match.group(0)}"
            return json.dumps(str(value))
        assert not isinstance(value, (dict, list)), f"{expr} is a {type(value).__name__}"
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return _TEMPLATE.sub(one, text)


def _get(data: Any, dotted: str, expr: str) -> Any:
    assert expr.startswith(".Values."), f"unsupported template expression {expr}"
    for part in dotted.split("."):
        assert isinstance(data, dict) and part in data, f"{expr}: no such value"
        data = data[part]
    return data


def helmfile(root: Path) -> dict:
    return yaml.safe_load((Path(root) / "helmfile.yaml").read_text(encoding="utf-8"))


def env_values(root: Path, env: str) -> dict:
    """environments/<env>.yaml and the rest of the environment's values, merged."""
    merged: dict = {}
    for f in helmfile(root)["environments"][env]["values"]:
        merged = deep_merge(merged, yaml.safe_load((Path(root) / f).read_text(encoding="utf-8")), null_deletes=True)
    return merged


def release_values(root: Path, release: dict, env: str, env_values: dict) -> dict:
    """The release's values merged in helmfile's order, templates rendered for ``env``."""
    merged: dict = {}
    for entry in release.get("values") or []:
        if isinstance(entry, dict):
            merged = deep_merge(merged, entry, null_deletes=True)
            continue
        text = (Path(root) / entry).read_text(encoding="utf-8")
        if entry.endswith(".gotmpl"):
            text = render(text, env, env_values)
        merged = deep_merge(merged, yaml.safe_load(text) or {}, null_deletes=True)
    return merged


def static_values(root: Path, release: dict) -> dict:
    """A release's plain values merged as the stack check merges them (templates left out)."""
    return helmfile_module.release_values(Sources(Path(root)), release)[0]


def stack_report(catalogue, root: Path) -> tuple[list[str], list[str]]:
    """The stack check's problems and notices as the CLI prints them."""
    found = stack.report(catalogue, root)
    return [str(p) for p in found.problems], [str(p) for p in found.unchecked]


def stack_problems(catalogue, root: Path) -> list[str]:
    return stack_report(catalogue, root)[0]
