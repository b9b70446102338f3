"""Names that must be unique across the catalogue: services per namespace, alerts."""

from __future__ import annotations

from opsgen.catalogue.load import Document
from opsgen.catalogue.paths import alert_paths, get, text
from opsgen.errors import Location, Problem


def duplicate_services(doc: Document) -> list[Problem]:
    first: dict[tuple[str | None, str | None], int] = {}
    problems = []
    for index, service in enumerate(doc.data["services"]):
        key = (text(service, "namespace"), text(service, "name"))
        if key[0] is None or key[1] is None:
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
    """Alert names are unique, also ignoring case: the runbook URL is the base plus the
    lower-case name, so ``HighLatency`` and ``Highlatency`` would share one."""
    first: dict[str, tuple[str, tuple]] = {}
    problems = []
    for path in alert_paths(doc.data):
        name = text(get(doc.data, path), "name")
        if name is None:
            continue
        if name.lower() in first:
            earlier, earlier_path = first[name.lower()]
            here = doc.locate(path + ("name",))
            line = first_at(doc.locate(earlier_path + ("name",)), here)
            if earlier == name:
                message = f"alert name '{name}' is used twice (first at {line}); alert names are unique"
            else:
                message = (
                    f"alert name '{name}' differs only in case from '{earlier}' (at {line}); both would have the "
                    f"runbook URL ending '/{name.lower()}': alert names are unique ignoring case"
                )
            problems.append(Problem(here, message))
        else:
            first[name.lower()] = (name, path)
    return problems


def first_at(first: Location, here: Location) -> str:
    """``line 12``, or ``teams/ci.yaml:12`` when the first one is in another file."""
    return f"line {first.line}" if first.file == here.file else f"{first.file}:{first.line}"
