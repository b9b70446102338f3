"""The test catalogue (services.yaml beside this file) compiled with opsgen's
Python API, and read back the way the cluster would read it: each
PrometheusRule's ``spec`` is a rule file (what prometheus-operator writes
for Prometheus), each dashboard ConfigMap's data is a Grafana dashboard, and
the AlertmanagerConfig's props give the operator's Alertmanager config."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from opsgen import pipeline
from opsgen.catalogue.model import Catalogue, Service
from opsgen.generate import routing
from opsgen.generate.kinds import AlertmanagerConfigProps

CATALOGUE = Path(__file__).with_name("services.yaml")


@dataclass(frozen=True)
class Generated:
    catalogue: Catalogue
    documents: tuple[dict[str, Any], ...]

    @property
    def services(self) -> tuple[Service, ...]:
        (environment,) = self.catalogue.environments
        return environment.services

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.documents if d["kind"] == kind]

    def rule_files(self, compressed: bool = True) -> dict[str, dict[str, Any]]:
        """File name -> plain rule file, one per PrometheusRule (its spec). ``compressed``:
        without the groups' own ``interval`` (2m30s for the long windows and constants), so
        that every group evaluates at the test server's 1s and the tests need not wait
        minutes; the delay that interval adds is in burn.py's time to page."""
        out = {}
        for doc in self.of_kind("PrometheusRule"):
            spec = doc["spec"]
            if compressed:
                spec = {**spec, "groups": [{k: v for k, v in g.items() if k != "interval"} for g in spec["groups"]]}
            out[f"{doc['metadata']['namespace']}-{doc['metadata']['name']}.yaml"] = spec
        return out

    def dashboards(self) -> dict[str, dict[str, Any]]:
        """Dashboard file name (the ConfigMap key) -> dashboard JSON."""
        out: dict[str, dict[str, Any]] = {}
        for config_map in self.of_kind("ConfigMap"):
            for key, text in (config_map.get("data") or {}).items():
                if key.endswith(".json"):
                    out[key] = json.loads(text)
        return out

    def routing(self) -> AlertmanagerConfigProps:
        props = routing.routing_props(self.catalogue.platform)
        assert props is not None, "the test catalogue routes page and warn"
        return props

    def service(self, name: str) -> Service:
        (found,) = [s for s in self.services if s.name == name]
        return found


def generate(catalogue_file: Path = CATALOGUE) -> Generated:
    catalogue = pipeline.load_valid(str(catalogue_file))
    rendered = pipeline.synthesize(catalogue)
    documents = tuple(d for body in rendered.files.values() for d in yaml.safe_load_all(body) if d)
    return Generated(catalogue, documents)
