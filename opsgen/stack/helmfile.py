"""helmfile.yaml as plain YAML: whether opsgen can read it, its environments,
its releases and their values files (merged as Helm merges them)."""

from __future__ import annotations

from typing import Any

from opsgen.catalogue.merge import deep_merge
from opsgen.errors import Problem
from opsgen.stack.read import Sources, Unreadable, at_file, kind

HELMFILE = "helmfile.yaml"
DEFAULT_ENV = "default"  # helmfile's name for a catalogue without environments
NEEDS_HELMFILE = "not checked (needs helmfile)"


def readable(sources: Sources, unchecked: list[Problem]) -> dict | None:
    """helmfile.yaml when opsgen can read it as plain YAML of the expected shape,
    else None with the reason in ``unchecked``."""
    if not sources.exists(HELMFILE):
        unchecked.append(at_file(HELMFILE, f"not checked: there is no {HELMFILE} in {sources.root}"))
        return None
    try:
        data = sources.data(HELMFILE)
    except Unreadable as exc:
        unchecked.append(at_file(HELMFILE, f"not checked: not plain YAML opsgen can read ({exc.problem.message})"))
        return None
    if why := _template_use(data):
        unchecked.append(at_file(HELMFILE, f"{NEEDS_HELMFILE}: it {why}"))
        return None
    if why := _shape(data):
        unchecked.append(at_file(HELMFILE, f"not checked: {why}"))
        return None
    return data


def _template_use(data: Any) -> str | None:
    if _has_template(data):
        return "uses Go templates, which only helmfile renders"
    layered = [key for key in ("bases", "helmfiles") if isinstance(data, dict) and data.get(key)]
    return f"uses {' and '.join(layered)}: its releases live in files only helmfile assembles" if layered else None


def _has_template(node: Any) -> bool:
    if isinstance(node, dict):
        return any(_has_template(k) or _has_template(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_template(v) for v in node)
    return isinstance(node, str) and "{{" in node


def _shape(data: Any) -> str | None:
    """Why the helmfile is not shaped as helmfile reads it (None when it is)."""
    if not isinstance(data, dict):
        return f"the top is {kind(data)}, not a mapping"
    envs, releases = data.get("environments"), data.get("releases")
    if envs is not None and not isinstance(envs, dict):
        return f"environments is {kind(envs)}, not a mapping of environment names"
    for name, spec in (envs or {}).items():
        if spec is not None and not isinstance(spec, dict):
            return f"environments.{name} is {kind(spec)}, not a mapping"
        if why := _values_shape(f"environments.{name}.values", (spec or {}).get("values")):
            return why
    if releases is not None and not isinstance(releases, list):
        return f"releases is {kind(releases)}, not a list"
    for index, release in enumerate(releases or []):
        if not isinstance(release, dict):
            return f"releases[{index}] is {kind(release)}, not a mapping"
        if bad := [k for k in ("name", "namespace", "chart") if k in release and not isinstance(release[k], str)]:
            return f"releases[{index}].{bad[0]} is {kind(release[bad[0]])}, not a string"
        if why := _values_shape(f"releases[{index}].values", release.get("values")):
            return why
    return None


def _values_shape(where: str, values: Any) -> str | None:
    if values is None:
        return None
    if not isinstance(values, list):
        return f"{where} is {kind(values)}, not a list"
    bad = [i for i, entry in enumerate(values) if not isinstance(entry, (str, dict))]
    return f"{where}[{bad[0]}] is {kind(values[bad[0]])}, not a file name or a mapping" if bad else None


def gotmpl(unchecked: list[Problem], entry: str) -> None:
    note = at_file(
        entry, f"{NEEDS_HELMFILE}: a Go template helmfile renders per environment; opsgen reads plain YAML only"
    )
    if note not in unchecked:
        unchecked.append(note)


def environments(
    sources: Sources,
    helmfile: dict,
    envs: list[str],
    catalogue_file: str,
    problems: list[Problem],
    unchecked: list[Problem],
) -> dict[str, tuple[dict, list[str]]]:
    """Each environment's merged values and the plain files they came from; a
    problem for each catalogue environment the helmfile lacks, and the reverse."""
    declared = helmfile.get("environments") or {}
    for env in envs:
        if env not in declared:
            problems.append(
                sources.at(
                    HELMFILE,
                    ["environments"],
                    f"no environment {env!r}; {catalogue_file} has environments {', '.join(envs)}",
                )
            )
    for env in declared:
        if env not in envs:
            problems.append(
                sources.at(
                    HELMFILE,
                    ["environments", env],
                    f"environment {env!r} is not in {catalogue_file} ({', '.join(envs)})",
                )
            )
    return {
        env: merged_values(sources, (spec or {}).get("values") or [], problems, unchecked)
        for env, spec in declared.items()
    }


def merged_values(
    sources: Sources, entries: list, problems: list[Problem], unchecked: list[Problem]
) -> tuple[dict, list[str]]:
    """Values entries (inline mappings and file names) merged in order, and the
    plain files among them; ``*.gotmpl`` files only helmfile renders."""
    merged: dict = {}
    plain: list[str] = []
    for entry in entries:
        if isinstance(entry, dict):
            merged = deep_merge(merged, entry, null_deletes=True)
        elif entry.endswith(".gotmpl"):
            gotmpl(unchecked, entry)
        else:
            try:
                merged = deep_merge(merged, sources.data(entry) or {}, null_deletes=True)
                plain.append(entry)
            except Unreadable as exc:
                if exc.problem not in problems:
                    problems.append(exc.problem)
    return merged, plain


def release_values(sources: Sources, release: dict) -> tuple[dict, list[str]]:
    """A release's plain values merged in helmfile's order, and their files
    (problems of unreadable files are reported by the environments' check)."""
    return merged_values(sources, release.get("values") or [], [], [])


def find_release(releases: list[dict], chart: str) -> dict | None:
    return next((r for r in releases if str(r.get("chart", "")).split("/")[-1] == chart), None)
