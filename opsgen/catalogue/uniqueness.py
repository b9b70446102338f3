"""Names that must be unique across the catalogue: services per namespace, alerts."""
from __future__ import annotations

from opsgen.catalogue.load import Document
from opsgen.catalogue.paths import alert_paths, get, text
from opsgen.errors import Location, Problem


def duplicate_services(doc: Document) -> list[Problem]:
    first: dict[tuple[str, str], int] = {}
    problems = []
    for index, service in enumerate(doc.data["services"]):
        key = (text(service, "namespace"), text(service, "name"))
        if None in key:
            continue
        if key in first:
            here = doc.locate(("services", index, "name"))
            line = first_at(doc.locate(("services", first[key], "name")), here)
            problems.append(
                Problem(
                    here,
                    f"service '{key[1]}' is defined twice in namespace '{key[0]}' (first at {line}); names are unique per namespace",
                )
            )
        else:
            first[key] = index
    return problems


def duplicate_alerts(doc: Document) -> list[Problem]:
    first: dict[str, tuple] = {}
    problems = []
    for path in alert_paths(doc.data):
        name = text(get(doc.data, path), "name")
        if name is None:
            continue
        if name in first:
            here = doc.locate(path + ("name",))
            line = first_at(doc.locate(first[name] + ("name",)), here)
            problems.append(Problem(here, f"alert name '{name}' is used twice (first at {line}); alert names are unique"))
        else:
            first[name] = path
    return problems


def first_at(first: Location, here: Location) -> str:
    """``line 12``, or ``teams/ci.yaml:12`` when the first one is in another file."""
    return f"line {first.line}" if first.file == here.file else f"{first.file}:{first.line}"
