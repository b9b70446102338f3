"""What every part of the build reads, and the shape of a part.

generate.py decides which parts go into which file; alerting, routing and the
dashboards provide parts. Both sides import this module, never each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opsgen.catalogue.model import Catalogue, Environment, Platform

if TYPE_CHECKING:
    from cdk8s import Chart


@dataclass(frozen=True)
class Context:
    """What every part may read: the whole catalogue and the environment being built."""

    catalogue: Catalogue
    env: Environment

    @property
    def platform(self) -> Platform:
        return self.catalogue.platform


Part = Callable[["Chart", Context], None]
"""Adds objects (lib constructs) directly to the chart it is given, never to a child scope."""
