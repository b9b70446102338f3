"""Rules about what catalogue alerts write: labels opsgen sets, and templates."""

from __future__ import annotations

from typing import Any

from opsgen.catalogue import templates
from opsgen.catalogue.load import Document
from opsgen.catalogue.paths import all_alert_paths, display, get
from opsgen.errors import Problem

# Labels opsgen sets on an alert: a catalogue label of that name would be silently replaced.
_SET_LABELS = {"severity": "severity", "team": "team"}


_SERVICE_LABELS = {"namespace": "the service's namespace", "service": "the service's name"}


def overwritten_labels(doc: Document) -> list[Problem]:
    """``labels.severity`` (and ``team``, and on a service's alerts ``namespace``
    and ``service``) would be overwritten by what opsgen sets: refuse them."""
    problems = []
    for path in all_alert_paths(doc.data):
        alert = get(doc.data, path)
        labels = alert.get("labels") if isinstance(alert, dict) else None
        if not isinstance(labels, dict):
            continue
        own = path[0] == "services"
        for label in labels:
            reason = _overwritten(label, own, "team" in alert)
            if reason:
                problems.append(
                    Problem(doc.locate(path + ("labels", label)), f"{display(path)}.labels.{label}: {reason}")
                )
    return problems


def template_problems(doc: Document) -> list[Problem]:
    """Prometheus expands an alert's summary, description and label values as Go
    templates at alert time: each must be a well-formed one (templates.py)."""
    problems = []
    for path in all_alert_paths(doc.data):
        alert = get(doc.data, path)
        if not isinstance(alert, dict):
            continue
        found = alert.get("labels")
        labels: dict = found if isinstance(found, dict) else {}
        fields: list[tuple[tuple[str, ...], Any]] = [
            (("summary",), alert.get("summary")),
            (("description",), alert.get("description")),
        ]
        fields += [(("labels", name), value) for name, value in labels.items()]
        for field, text in fields:
            if isinstance(text, str) and "{{" in text:
                shown = display(path + field)
                where = doc.locate(path + field, value=True)
                problems += [Problem(where, f"{shown}: template: {reason}") for reason in templates.problems(text)]
    return problems


def _overwritten(label: str, service_alert: bool, has_team: bool) -> str | None:
    if label in _SET_LABELS and (label == "severity" or service_alert or has_team):
        key = _SET_LABELS[label]
        return f"opsgen sets this label from the alert's '{key}'; write {key}: ... instead of a label"
    if service_alert and label in _SERVICE_LABELS:
        return f"opsgen sets this label to {_SERVICE_LABELS[label]} on a service's alerts; remove it"
    return None
