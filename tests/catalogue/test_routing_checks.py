"""opsgen.catalogue.routing_checks: platform.alerting.teams names teams of the catalogue."""

from __future__ import annotations

import textwrap

import pytest

from opsgen.catalogue import load, model, validate
from opsgen.errors import CatalogueError

PD = "{pagerduty: {secret: pd-team, key: routing-key}}"
CATALOGUE = """\
platform:
  name: demo
  alerting:
    page: {pagerduty: {secret: pd, key: routing-key}}
    teams:
%s
environments: {dev: {}, prod: {}}
services:
  - name: checkout
    namespace: shop
    team: payments
    environments:
      prod: {team: payments-prod}
  - name: search
    namespace: shop
    team: search
    alerts:
      - {name: SearchSlow, expr: vector(1), severity: warn, summary: s, team: search-oncall}
alerts:
  - {name: PlatformThing, expr: vector(1), severity: page, summary: s, team: platform}
"""


def catalogue(teams: str) -> str:
    return CATALOGUE % textwrap.indent(textwrap.dedent(teams), "      ")


def problems(text: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        validate.validate(load.load_text(text, "services.yaml"))
    return [str(p) for p in caught.value.problems]


def test_teams_of_services_overrides_and_alerts_may_have_receivers():
    text = catalogue(
        f"payments: {{page: {PD}}}\npayments-prod: {{page: {PD}}}\nsearch-oncall: {{warn: {PD}}}\nplatform: {{page: {PD}}}\n"
    )
    doc = load.load_text(text, "services.yaml")
    validate.validate(doc)
    teams = model.build(doc).platform.team_alerting
    assert sorted(teams) == ["payments", "payments-prod", "platform", "search-oncall"]
    assert teams["payments"]["page"] == model.Receiver("pagerduty", "pd-team", "routing-key")
    assert model.build(doc).platform.alerting == {"page": model.Receiver("pagerduty", "pd", "routing-key")}


def test_an_unknown_team_is_located_with_did_you_mean():
    assert problems(catalogue(f"paymnets: {{page: {PD}}}\n")) == [
        "services.yaml:6:7: platform.alerting.teams.paymnets: no service or alert has team 'paymnets'; did you mean 'payments'? "
        "(the catalogue's teams: payments, payments-prod, platform, search, search-oncall)"
    ]


def test_every_unknown_team_is_reported():
    found = problems(catalogue(f"nobody: {{page: {PD}}}\nsearch: {{warn: {PD}}}\nghost: {{warn: {PD}}}\n"))
    assert [p.split(": ")[1] for p in found] == ["platform.alerting.teams.nobody", "platform.alerting.teams.ghost"]


def test_a_team_needs_a_receiver():
    assert problems(catalogue("search: {}\n")) == [
        "services.yaml:6:7: platform.alerting.teams.search needs page or warn (or remove the team)"
    ]


def test_a_team_name_must_be_a_name_and_receivers_are_checked():
    found = problems(catalogue("Search_Team: {page: {pagerduty: {secret: pd}}}\nsearch: {ticket: {slack: {}}}\n"))
    assert any("platform.alerting.teams ('Search_Team') must be a DNS-1123 label" in p for p in found), found
    assert any("is missing the required key 'key'" in p for p in found), found
    assert any("unknown key 'ticket'" in p for p in found), found
