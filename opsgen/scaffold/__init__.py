"""``opsgen init [DIR]``: a catalogue repository for the installed opsgen.

It holds a small valid ``services.yaml`` with the schemas its modeline names
(written from this opsgen, so the editor knows exactly the fields it accepts),
``cdk8s.yaml`` and ``main.py`` (``npx cdk8s synth`` writes what ``opsgen synth``
writes), ``package.json`` with cdk8s-cli pinned as opsgen's own, a workflow
that runs only ``opsgen check`` through opsgen's action, a
``.pre-commit-config.yaml`` with opsgen's hooks, a ``.gitignore`` and a README.
``--stack`` adds this repository's helmfile stack; the Argo CD objects are
generated from the catalogue (``platform.argocd``, commented in services.yaml).

DIR must be empty or absent; no file is ever overwritten (each is created
exclusively, so a file that appears meanwhile is refused too).
"""

from __future__ import annotations

import json
from importlib import metadata, resources
from pathlib import Path

import yaml

from opsgen import __version__
from opsgen import conventions as conv
from opsgen.catalogue import schema

# The cdk8s CLI that `npx cdk8s synth` runs: the version opsgen's own package.json pins
# (tests/scaffold/test_init.py keeps the two equal).
CDK8S_CLI = "2.207.60"
# Files kept in templates/ under a name without the leading dot (a wheel and an editor show them).
DOTTED = {"gitignore": ".gitignore"}
TEMPLATES = resources.files(__package__) / "templates"
STACK = TEMPLATES / "stack"
HOOKS = ("opsgen-validate", "opsgen-check")
ACTION = ".github/actions/opsgen-check"


class Refused(Exception):
    """DIR cannot be scaffolded (not empty, or not a folder); nothing was written."""


def create(target: Path, stack: bool = False) -> list[str]:
    """Write the scaffold into ``target``; the paths written, relative to it."""
    files = scaffold(stack)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise Refused(f"{target} is not an empty folder; opsgen init writes only into an empty or new one")
    for rel, body in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb") as handle:  # never overwrite, even a file that appeared meanwhile
            handle.write(body)
    return list(files)


def scaffold(stack: bool) -> dict[str, bytes]:
    """Every file of the scaffold by its path."""
    files = {DOTTED.get(item.name, item.name): item.read_bytes() for item in TEMPLATES.iterdir() if item.is_file()}
    files["services.schema.json"] = schema.schema_json().encode()
    files["services.include.schema.json"] = schema.included_schema_json().encode()
    files["package.json"] = _json(_package())
    files[".pre-commit-config.yaml"] = _yaml(
        "pre-commit hooks of opsgen (pre-commit installs opsgen itself)", _pre_commit()
    )
    files[".github/workflows/opsgen.yaml"] = _yaml(
        "dist/ is what services.yaml compiles to (seconds: opsgen check only)", _workflow(stack)
    )
    if stack:
        files.update(_tree(STACK, ""))
    return dict(sorted(files.items()))


def _tree(folder, prefix: str) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for item in folder.iterdir():
        if item.is_dir():
            found.update(_tree(item, f"{prefix}{item.name}/"))
        else:
            found[prefix + item.name] = item.read_bytes()
    return found


def source() -> str:
    """opsgen's repository (pyproject's project URL ``Source``), as the scaffold's hooks and action name it."""
    for entry in metadata.metadata("opsgen").get_all("Project-URL") or []:
        label, _, url = entry.partition(", ")
        if label == "Source":
            return url
    raise LookupError("opsgen's metadata names no Source URL (pyproject.toml [project.urls])")


def revision() -> str:
    """The tag of this opsgen's release, which the hooks and the action are pinned to."""
    return f"v{__version__}"


def _package() -> dict:
    scripts = {"synth": "cdk8s synth --no-check-upgrade"}  # cdk8s-cli's upgrade check prints an HTTP trace offline
    return {"name": "catalogue", "private": True, "scripts": scripts, "devDependencies": {"cdk8s-cli": CDK8S_CLI}}


def _pre_commit() -> dict:
    return {"repos": [{"repo": source(), "rev": revision(), "hooks": [{"id": hook} for hook in HOOKS]}]}


def _workflow(stack: bool) -> dict:
    action = source().removeprefix("https://github.com/")
    check = {
        "uses": f"{action}/{ACTION}@{revision()}",
        "with": {"catalogue": conv.CATALOGUE_FILE, "out": conv.OUTPUT_DIR, "stack": str(stack).lower()},
    }
    steps = [{"uses": "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683"}, {"name": "opsgen check", **check}]
    job = {"runs-on": "ubuntu-latest", "timeout-minutes": 10, "steps": steps}
    return {
        "name": "opsgen",
        "on": {"push": {"branches": ["main"]}, "pull_request": {}},
        "permissions": {"contents": "read"},
        "jobs": {"check": job},
    }


def _json(data: dict) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode()


def _yaml(comment: str, data: dict) -> bytes:
    return f"# {comment}\n".encode() + yaml.safe_dump(data, sort_keys=False, width=120).encode()
