"""Warnings about scaling the catalogue asks for but cannot get.

``scaling.kafka.partitions`` is the topic's partition count. KEDA's kafka trigger runs no
more consumers than partitions (unless ``allowIdleConsumers``, which opsgen never sets): a
``maxReplicas`` above it is never reached. That is a warning (printed, exit 0), located at
the ``maxReplicas`` of the environment where it happens; ReplicasAtMax then fires at the
partition count (Scaling.effective_max_replicas).
"""

from __future__ import annotations

from opsgen.catalogue.load import Document
from opsgen.catalogue.merge import service_in, service_locator
from opsgen.catalogue.validate import environment_names, in_environments
from opsgen.errors import Problem, sort_key


def warnings(doc: Document) -> tuple[Problem, ...]:
    """Every scaling warning of a valid catalogue, sorted, each once."""
    found: list[Problem] = []
    envs = environment_names(doc.data)
    for index, raw in enumerate(doc.data["services"]):
        per_env = {}
        for env in envs:
            message = _beyond_partitions(service_in(raw, env))
            locate = service_locator(doc, index, env)
            per_env[env] = [Problem(locate(("scaling", "maxReplicas")), message)] if message else []
        found += in_environments(per_env)
    return tuple(sorted(set(found), key=sort_key))


def _beyond_partitions(service: dict) -> str | None:
    scaling = service.get("scaling") or {}
    high, partitions = scaling.get("maxReplicas"), (scaling.get("kafka") or {}).get("partitions")
    if partitions is None or high <= partitions:
        return None
    return (
        f"scaling.maxReplicas ({high}) is more than scaling.kafka.partitions ({partitions}): KEDA runs at most one "
        f"consumer per partition, so the service never scales past {partitions} replicas (ReplicasAtMax fires at {partitions})"
    )
