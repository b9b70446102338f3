"""``opsgen show SERVICE``: every object of one service as one YAML stream.

The stream is the service's namespace file (its Namespace, and the KEDA
TriggerAuthentication its ScaledObject refers to) followed by the service's own
file (monitor, scaler, rules), the files' bytes as synth writes them, separated
by ``---``: ready for ``kubectl apply --dry-run=server -f -``.
"""

from __future__ import annotations

import os

from opsgen import conventions as conv
from opsgen.catalogue.model import Catalogue, Environment, Service
from opsgen.errors import did_you_mean
from opsgen.output import stream as joined


class UnknownName(ValueError):
    """A service or environment the catalogue does not have."""


def find(catalogue: Catalogue, service: str, env: str | None) -> tuple[Environment, Service]:
    environment = _environment(catalogue, env)
    services = {s.name: s for s in environment.services}
    if service not in services:
        where = f" in environment {environment.name!r}" if environment.name else ""
        raise UnknownName(f"no service {service!r}{where} in {catalogue.file}{did_you_mean(service, services)}")
    return environment, services[service]


def _environment(catalogue: Catalogue, env: str | None) -> Environment:
    named = {e.name: e for e in catalogue.environments if e.name}
    if not named:
        if env is not None:
            raise UnknownName(f"{catalogue.file} has no environments; leave out --env")
        return catalogue.environments[0]
    known = ", ".join(named)
    if env is None:
        if len(named) == 1:
            return next(iter(named.values()))
        raise UnknownName(f"{catalogue.file} has environments {known}; choose one with --env")
    if env not in named:
        raise UnknownName(f"no environment {env!r} in {catalogue.file} (it has {known}){did_you_mean(env, named)}")
    return named[env]


def paths(environment: Environment, service: Service) -> list[str]:
    """The output files (relative to the output directory) that hold the service's objects."""
    prefix = conv.env_dir(environment.name)
    return [
        os.path.join(prefix, conv.namespace_file(service.namespace)),
        os.path.join(prefix, conv.service_file(service)),
    ]


def stream(files: dict[str, bytes], wanted: list[str]) -> bytes:
    """The files' documents as one stream (see stream.py)."""
    return joined.join(files, wanted)
