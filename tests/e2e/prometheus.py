"""A real Prometheus (Debian's ``prometheus`` 2.42) for the end-to-end tests:
its configuration, history backfilled with ``promtool``, and its HTTP API.

Scrape targets are static, but each carries the ``__meta_kubernetes_*``
labels Kubernetes service discovery would give it, and the relabeling is the
one prometheus-operator writes for a ServiceMonitor or PodMonitor, so the
series get the same ``namespace``, ``service``, ``job``, ``pod``,
``container``, ``endpoint`` and ``instance`` labels as in the cluster.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.processes import LOOPBACK, Process, Processes, http_json, wait_for

BINARY = "/usr/bin/prometheus"
INTERVAL = "1s"  # scrape and evaluation interval
RETENTION = "60d"  # backfilled history reaches 30 days back


@dataclass(frozen=True)
class Target:
    """One scraped endpoint, as Kubernetes would present it to Prometheus.

    kind: "service" (ServiceMonitor: job = the Service's name) or "pod"
    (PodMonitor: job = <namespace>/<monitor>); monitor: the monitor's name;
    relabelings: the monitor's own (operator spelling, camelCase keys)."""

    port: int
    namespace: str
    service: str
    endpoint: str
    kind: str = "service"
    monitor: str = ""
    path: str = "/metrics"
    honor_labels: bool = False
    relabelings: tuple[dict[str, Any], ...] = ()

    @property
    def pod(self) -> str:
        return f"{self.service}-0"

    def job_name(self) -> str:
        kind = "serviceMonitor" if self.kind == "service" else "podMonitor"
        return f"{kind}/{self.namespace}/{self.monitor or self.service}/0"

    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}{self.path}"

    def labels(self) -> dict[str, str]:
        """The target labels the relabeling below gives (for backfilled history)."""
        job = self.service if self.kind == "service" else f"{self.namespace}/{self.monitor}"
        out = {"namespace": self.namespace, "service": self.service, "job": job, "pod": self.pod, "container": "main"}
        return out | {"endpoint": self.endpoint, "instance": f"{LOOPBACK}:{self.port}"}

    def scrape_config(self) -> dict[str, Any]:
        meta = {
            "__meta_kubernetes_namespace": self.namespace,
            "__meta_kubernetes_service_name": self.service,
            "__meta_kubernetes_pod_name": self.pod,
            "__meta_kubernetes_pod_container_name": "main",
        }
        return {
            "job_name": self.job_name(),
            "honor_labels": self.honor_labels,
            "metrics_path": self.path,
            "static_configs": [{"targets": [f"{LOOPBACK}:{self.port}"], "labels": meta}],
            "relabel_configs": self._operator_relabelings() + [_snake(r) for r in self.relabelings],
        }

    def _operator_relabelings(self) -> list[dict[str, Any]]:
        copy = [
            ("__meta_kubernetes_namespace", "namespace"),
            ("__meta_kubernetes_pod_container_name", "container"),
            ("__meta_kubernetes_pod_name", "pod"),
        ]
        if self.kind == "service":
            copy += [("__meta_kubernetes_service_name", "service"), ("__meta_kubernetes_service_name", "job")]
        rules: list[dict[str, Any]] = [{"source_labels": [source], "target_label": target} for source, target in copy]
        if self.kind == "pod":
            rules.append({"target_label": "job", "replacement": f"{self.namespace}/{self.monitor}"})
        rules.append({"target_label": "endpoint", "replacement": self.endpoint})
        return rules


def _snake(relabeling: dict[str, Any]) -> dict[str, Any]:
    names = {"sourceLabels": "source_labels", "targetLabel": "target_label"}
    return {names.get(key, key): value for key, value in relabeling.items()}


def config(targets: Iterable[Target], rule_files: list[str], alertmanager: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "global": {"scrape_interval": INTERVAL, "scrape_timeout": INTERVAL, "evaluation_interval": INTERVAL},
        "rule_files": rule_files,
        "scrape_configs": [t.scrape_config() for t in targets],
    }
    if alertmanager:
        out["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [alertmanager]}]}]}
    return out


# --- history -----------------------------------------------------------------


@dataclass
class History:
    """Samples to backfill: (metric name, labels) -> [(unix seconds, value)]."""

    series: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = field(default_factory=dict)

    def add(self, name: str, labels: dict[str, str], samples: Iterable[tuple[float, float]]) -> None:
        self.series.setdefault((name, tuple(sorted(labels.items()))), []).extend(samples)

    def update(self, other: History) -> History:
        for (name, labels), samples in other.series.items():
            self.add(name, dict(labels), samples)
        return self

    def openmetrics(self) -> str:
        """OpenMetrics text, one family per metric name, samples in time order;
        untyped, so counters keep their ``_total`` names."""
        lines = []
        for (name, labels), samples in sorted(self.series.items()):
            text = ",".join(f'{key}="{_escape(value)}"' for key, value in labels)
            lines += [f"{name}{{{text}}} {value!r} {stamp:.3f}" for stamp, value in sorted(samples)]
        return "\n".join(lines) + "\n# EOF\n"

    def write_blocks(self, data_dir: Path) -> None:
        """TSDB blocks in ``data_dir``, for a Prometheus that starts on it later
        (the blocks must end before the samples it will scrape itself)."""
        data_dir.mkdir(parents=True, exist_ok=True)
        source = data_dir.parent / f"{data_dir.name}-history.om"
        source.write_text(self.openmetrics(), encoding="utf-8")
        argv = [
            "promtool",
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            "--quiet",
            "--max-block-duration=1000h",
            str(source),
            str(data_dir),
        ]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, f"promtool backfill failed:\n{result.stdout}\n{result.stderr}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def stamps(start: float, end: float, step: float) -> list[float]:
    """Sample times from ``start`` to ``end`` (unix seconds), ``step`` apart."""
    return [start + i * step for i in range(int((end - start) // step) + 1)]


def counter(start: float, end: float, step: float, per_second: float) -> list[tuple[float, float]]:
    """A counter that grew by ``per_second`` from ``start`` to ``end``."""
    return [(t, round((t - start) * per_second, 6)) for t in stamps(start, end, step)]


def constant(start: float, end: float, step: float, value: float) -> list[tuple[float, float]]:
    return [(t, value) for t in stamps(start, end, step)]


# --- the server ----------------------------------------------------------------


@dataclass
class Prometheus:
    url: str
    process: Process
    started: float = 0.0  # unix seconds the backfilled history was written up to (conftest.prom)

    @classmethod
    def start(
        cls,
        processes: Processes,
        workdir: Path,
        cfg: dict[str, Any],
        rules: dict[str, dict[str, Any]],
        extra_args: tuple[str, ...] = (),
    ) -> Prometheus:
        workdir.mkdir(parents=True, exist_ok=True)
        for name, rule_file in rules.items():
            (workdir / "rules").mkdir(exist_ok=True)
            (workdir / "rules" / name).write_text(yaml.safe_dump(rule_file, sort_keys=False), encoding="utf-8")
        config_file = workdir / "prometheus.yml"
        config_file.write_text(yaml.safe_dump(cfg, sort_keys=False), encoding="utf-8")

        def process(port: int) -> Process:
            argv = [
                BINARY,
                f"--config.file={config_file}",
                f"--storage.tsdb.path={workdir / 'data'}",
                f"--storage.tsdb.retention.time={RETENTION}",
                f"--web.listen-address={LOOPBACK}:{port}",
                *extra_args,
            ]
            return Process("prometheus", argv, workdir / "prometheus.log")

        started, url = processes.start_server(process, "/-/ready", cwd=workdir)
        return cls(url, started)

    # the HTTP API

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        body = http_json(f"{self.url}/api/v1/{path}" + (f"?{query}" if query else ""))
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("query", query=expr)["result"]

    def query_range(self, expr: str, seconds: float, step: str = "1s") -> list[dict[str, Any]]:
        end = time.time()
        return self.api("query_range", query=expr, start=f"{end - seconds:.3f}", end=f"{end:.3f}", step=step)["result"]

    def alerts(self) -> list[dict[str, Any]]:
        return self.api("alerts")["alerts"]

    def alert_states(self, **labels: str) -> dict[str, str]:
        """alertname -> state ("pending"/"firing") of the alerts carrying ``labels``."""
        return {
            a["labels"]["alertname"]: a["state"]
            for a in self.alerts()
            if all(a["labels"].get(k) == v for k, v in labels.items())
        }

    def wait_for_alert(self, alertname: str, state: str, timeout: float, **labels: str) -> dict[str, Any]:
        def probe() -> dict[str, Any] | None:
            for alert in self.alerts():
                wanted = {"alertname": alertname, **labels}
                if all(alert["labels"].get(k) == v for k, v in wanted.items()) and alert["state"] in _at_least(state):
                    return alert
            return None

        return wait_for(f"{alertname} {labels} {state} in Prometheus", probe, timeout)

    def wait_for_series(self, expr: str, timeout: float) -> list[dict[str, Any]]:
        return wait_for(f"a result for {expr}", lambda: self.query(expr) or None, timeout)


def _at_least(state: str) -> tuple[str, ...]:
    return ("pending", "firing") if state == "pending" else (state,)


def available(binaries: tuple[str, ...] = (BINARY, "/usr/bin/prometheus-alertmanager")) -> str | None:
    """Why the real servers cannot run here (None when they can)."""
    missing = [b for b in binaries if not Path(b).is_file()] + [t for t in ("promtool",) if not shutil.which(t)]
    if missing:
        return f"needs {', '.join(missing)} (Debian packages prometheus and prometheus-alertmanager: scripts/install-test-tools.sh)"
    return None
