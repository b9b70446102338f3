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
from opsgen.generate import routing
from opsgen.generate.kinds import AlertmanagerConfigProps
from opsgen.catalogue.model import Catalogue, Service

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

    def rule_files(self) -> dict[str, dict[str, Any]]:
        """File name -> plain rule file, one per PrometheusRule (its spec)."""
        return {f"{d['metadata']['namespace']}-{d['metadata']['name']}.yaml": d["spec"] for d in self.of_kind("PrometheusRule")}

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
