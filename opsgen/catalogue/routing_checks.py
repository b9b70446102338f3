"""``platform.alerting.teams``: every team named there owns something in the catalogue.

Alerts are routed to a team's receivers by their ``team`` label, which opsgen sets from a
service's ``team`` (and its per-environment overrides) or an alert's own ``team``. A team
that none of them names would route nothing: most likely a typo, which would send that
team's alerts to the platform's receivers instead. It is an error at the team's key, with
"did you mean".
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from opsgen.catalogue.load import Document
from opsgen.errors import Problem, did_you_mean


def team_problems(doc: Document) -> list[Problem]:
    """Problems of a catalogue whose top level is well formed (validate.rule_problems)."""
    platform = doc.data["platform"]
    alerting = platform.get("alerting") if isinstance(platform.get("alerting"), dict) else {}
    teams = alerting.get("teams")
    if not isinstance(teams, dict):
        return []
    known = frozenset(catalogue_teams(doc.data))
    problems = []
    for team in teams:
        if isinstance(team, str) and team not in known:
            where = doc.locate(("platform", "alerting", "teams", team))
            owners = f" (the catalogue's teams: {', '.join(sorted(known))})" if len(known) <= 10 else ""
            message = f"platform.alerting.teams.{team}: no service or alert has team '{team}'{did_you_mean(team, known)}{owners}"
            problems.append(Problem(where, message))
    return problems


def catalogue_teams(data: dict[str, Any]) -> Iterable[str]:
    """Every team label value opsgen can put on an alert: services' teams (in every
    environment) and the teams alerts name (top level, services' and overrides')."""
    yield from _alert_teams(data.get("alerts"))
    for service in data["services"]:
        if not isinstance(service, dict):
            continue
        found = service.get("environments")
        overrides: dict = found if isinstance(found, dict) else {}
        for part in (service, *overrides.values()):
            if isinstance(part, dict):
                yield from _strings([part.get("team")])
                yield from _alert_teams(part.get("alerts"))


def _alert_teams(alerts: Any) -> Iterable[str]:
    if isinstance(alerts, list):
        yield from _strings(a.get("team") for a in alerts if isinstance(a, dict))


def _strings(values: Iterable[Any]) -> Iterable[str]:
    return (v for v in values if isinstance(v, str))
