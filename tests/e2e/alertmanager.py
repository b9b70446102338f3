"""A real Alertmanager (Debian's ``prometheus-alertmanager`` 0.25), configured
as prometheus-operator configures it from the generated AlertmanagerConfig.

``operator_config`` (tests/support/operator.py) renders the
object's routing the way the operator does; the operator then puts each
referenced Secret's value into the config. Here the Secrets "hold" the local
webhook's URL (Slack ``api_url``) and a routing key of their own (PagerDuty:
``routing_key``, so a test tells which receiver paged), and the
PagerDuty receiver's ``url`` (PagerDuty's API, not a Secret) points at the
local stand-in. The base config the operator merges it into is
kube-prometheus-stack's default (as tests/generate/test_routing.py restates it),
with short group timings so a test need not wait 30 s for a notification.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from opsgen.generate.kinds import AlertmanagerConfigProps, SecretRef
from tests.e2e import webhook
from tests.e2e.processes import LOOPBACK, Process, Processes, http_json
from tests.support.alertmanager import KPS_BASE
from tests.support.operator import mounted_path, operator_config

BINARY = "/usr/bin/prometheus-alertmanager"
ROOT_TIMING = {"group_wait": "1s", "group_interval": "1s", "repeat_interval": "1h"}


def routing_key(secret: SecretRef) -> str:
    """The PagerDuty routing key this Secret holds in the tests: one per Secret."""
    return f"e2e-{secret.name}-{secret.key}"


def secret_values(props: AlertmanagerConfigProps, hooks_url: str) -> dict[str, str]:
    """Mounted Secret file path -> the value the Secret holds in this test."""
    values = {}
    for receiver in props.receivers:
        if receiver.pagerduty:
            values[mounted_path(receiver.pagerduty)] = routing_key(receiver.pagerduty)
        if receiver.slack:
            values[mounted_path(receiver.slack)] = hooks_url + webhook.SLACK_PATH
    return values


def config(props: AlertmanagerConfigProps, hooks_url: str) -> dict[str, Any]:
    """The operator's config with every Secret resolved into the config, as
    the operator does, and PagerDuty's API at the local webhook."""
    base = copy.deepcopy(KPS_BASE)
    base["route"].update(ROOT_TIMING)
    out = copy.deepcopy(operator_config(props, base))
    values = secret_values(props, hooks_url)
    for receiver in out["receivers"]:
        for integration in receiver.get("pagerduty_configs", []):
            integration["routing_key"] = values[integration.pop("routing_key_file")]
            integration["url"] = hooks_url + webhook.PAGERDUTY_PATH
        for integration in receiver.get("slack_configs", []):
            integration["api_url"] = values[integration.pop("api_url_file")]
    return out


@dataclass
class Alertmanager:
    url: str
    process: Process

    @classmethod
    def start(cls, processes: Processes, workdir: Path, cfg: dict[str, Any]) -> Alertmanager:
        workdir.mkdir(parents=True, exist_ok=True)
        config_file = workdir / "alertmanager.yml"
        config_file.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")

        def process(port: int) -> Process:
            argv = [
                BINARY,
                f"--config.file={config_file}",
                f"--storage.path={workdir / 'data'}",
                f"--web.listen-address={LOOPBACK}:{port}",
                "--cluster.listen-address=",  # no gossip: a single instance
            ]
            return Process("alertmanager", argv, workdir / "alertmanager.log")

        started, url = processes.start_server(process, "/-/ready", cwd=workdir)
        return cls(url, started)

    @property
    def address(self) -> str:
        return self.url.removeprefix("http://")

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts as Alertmanager holds them (API v2), with status and receivers."""
        return http_json(f"{self.url}/api/v2/alerts")
