"""A real Alertmanager (Debian ``prometheus-alertmanager``) for tests that need more than
``amtool``: inhibition is decided by the running server, never by ``amtool config routes``.

Loopback only, a free ephemeral port, no clustering, bounded waits, and the process is
stopped on every path (``running`` is a context manager)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
needs_alertmanager = pytest.mark.skipif(
    BINARY is None, reason="Alertmanager not installed (Debian package prometheus-alertmanager)"
)
DEADLINE = 30.0  # seconds to become ready or to show an expected state; a bound, not an assertion


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read() or b"null")


@contextmanager
def running(config: dict[str, Any], workdir: Path) -> Iterator[str]:
    """An Alertmanager serving ``config``; yields its base URL."""
    path = workdir / "alertmanager.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    url = f"http://127.0.0.1:{_free_port()}"
    args = [
        BINARY,
        f"--config.file={path}",
        f"--storage.path={workdir / 'data'}",
        f"--web.listen-address={url.removeprefix('http://')}",
        "--cluster.listen-address=",
    ]
    log = (workdir / "alertmanager.log").open("w")
    process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(url, process, workdir)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_ready(url: str, process: subprocess.Popen, workdir: Path) -> None:
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError((workdir / "alertmanager.log").read_text(encoding="utf-8"))
        try:
            urllib.request.urlopen(url + "/-/ready", timeout=2).close()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError(f"Alertmanager not ready within {DEADLINE}s")


def post(url: str, alerts: list[dict[str, str]]) -> None:
    """Fire alerts with these label sets (annotations: a summary each)."""
    body = [{"labels": labels, "annotations": {"summary": labels.get("alertname", "")}} for labels in alerts]
    request = urllib.request.Request(
        url + "/api/v2/alerts", json.dumps(body).encode(), {"Content-Type": "application/json"}, method="POST"
    )
    urllib.request.urlopen(request, timeout=5).close()


def states(url: str) -> dict[str, str]:
    """alertname -> state (``active`` or ``suppressed``) of every alert the server holds."""
    return {a["labels"]["alertname"]: a["status"]["state"] for a in _get(url + "/api/v2/alerts")}


def wait_for(url: str, alertname: str, state: str) -> dict[str, str]:
    """The states once ``alertname`` is in ``state`` (inhibition is worked out in the background)."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        current = states(url)
        if current.get(alertname) == state:
            return current
        time.sleep(0.1)
    raise AssertionError(f"{alertname} never became {state}: {states(url)}")


# kube-prometheus-stack 58.3.1, values.yaml alertmanager.config (the chart's default): the
# base the operator merges every AlertmanagerConfig into (restated, for the tests).
KPS_BASE = {
    "global": {"resolve_timeout": "5m"},
    "inhibit_rules": [
        {
            "source_matchers": ["severity = critical"],
            "target_matchers": ["severity =~ warning|info"],
            "equal": ["namespace", "alertname"],
        },
        {
            "source_matchers": ["severity = warning"],
            "target_matchers": ["severity = info"],
            "equal": ["namespace", "alertname"],
        },
        {
            "source_matchers": ["alertname = InfoInhibitor"],
            "target_matchers": ["severity = info"],
            "equal": ["namespace"],
        },
        {"target_matchers": ["alertname = InfoInhibitor"]},
    ],
    "route": {
        "group_by": ["namespace"],
        "group_wait": "30s",
        "group_interval": "5m",
        "repeat_interval": "12h",
        "receiver": "null",
        "routes": [{"receiver": "null", "matchers": ['alertname = "Watchdog"']}],
    },
    "receivers": [{"name": "null"}],
    "templates": ["/etc/alertmanager/config/*.tmpl"],
}
