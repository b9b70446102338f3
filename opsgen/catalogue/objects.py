"""Checks of the model that need the output's names: no two objects opsgen
generates (or that KEDA creates for it) share a name within a namespace and kind,
and no environment ends up with two alerts of one name.

Names come from conventions.py. Each problem is located at the service or
alert that takes a name already taken, and says who took it first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from opsgen import conventions as conv
from opsgen.catalogue import generated_alerts
from opsgen.catalogue.model import Alert, Catalogue, Environment, Service
from opsgen.catalogue.validate import in_environments
from opsgen.errors import CatalogueError, Location, Problem


@dataclass(frozen=True)
class Claim:
    """One object name: (kind, namespace, name), who takes it and where."""

    kind: str
    namespace: str
    name: str
    owner: str
    location: Location | None


def check(catalogue: Catalogue) -> None:
    """Raise CatalogueError with every name collision, in every environment."""
    found = {
        env.name: _collisions(_claims(catalogue, env)) + _duplicate_alerts(catalogue.alerts, env)
        for env in catalogue.environments
    }
    problems = in_environments(found)
    if problems:
        raise CatalogueError(problems)


def _claims(catalogue: Catalogue, env: Environment) -> Iterable[Claim]:
    platform = catalogue.platform
    if catalogue.alerts or catalogue.pipeline_topics:
        name = conv.platform_rule_name(platform)
        yield Claim("PrometheusRule", platform.namespace, name, "the platform's alert rules", None)
    for service in env.services:
        yield from _service_claims(service)


def _service_claims(service: Service) -> Iterable[Claim]:
    ns, where, owner = service.namespace, service.location, f"service '{service.name}'"
    if service.metrics is not None:
        kind = "PodMonitor" if service.metrics.monitor == "pod" else "ServiceMonitor"
        yield Claim(kind, ns, service.name, owner, where)
    if service.scaling is not None and service.kafka is not None:
        yield Claim("ScaledObject", ns, service.name, owner, where)
        yield Claim(
            "HorizontalPodAutoscaler", ns, conv.keda_hpa_name(service), f"the HPA KEDA creates for {owner}", where
        )
    elif service.scaling is not None:
        yield Claim("HorizontalPodAutoscaler", ns, service.name, owner, where)
    if service.metrics or service.scaling or service.alerts or generated_alerts.applying(service):  # records or alerts
        yield Claim("PrometheusRule", ns, conv.rule_name(service), owner, where)


def _collisions(claims: Iterable[Claim]) -> list[Problem]:
    first: dict[tuple[str, str, str], Claim] = {}
    problems = []
    for claim in claims:
        key = (claim.kind, claim.namespace, claim.name)
        if key not in first:
            first[key] = claim
            continue
        taken = first[key]
        if claim.location is None:  # platform objects are claimed first: never the later one
            continue
        where = f" (line {taken.location.line})" if taken.location else ""
        problems.append(
            Problem(
                claim.location,
                f"{claim.owner} needs the {claim.kind} {claim.namespace}/{claim.name}, which {taken.owner}{where} "
                "already uses; rename the service",
            )
        )
    return problems


def _duplicate_alerts(platform_alerts: tuple[Alert, ...], env: Environment) -> list[Problem]:
    """Alert names are unique in each environment, overrides included (the
    catalogue's own duplicates are reported by validate before this runs)."""
    first: dict[str, Alert] = {}
    problems = []
    alerts = list(platform_alerts) + [a for s in env.services for a in s.alerts]
    for alert in alerts:
        if alert.name not in first:
            first[alert.name] = alert
            continue
        earlier = first[alert.name].name_location
        line = f" (first at line {earlier.line})" if earlier else ""
        if alert.name_location is not None:
            problems.append(
                Problem(alert.name_location, f"alert name '{alert.name}' is used twice{line}; alert names are unique")
            )
    return problems
