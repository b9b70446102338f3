"""Child processes of the end-to-end tests: started in a process group of their
own, waited for with a deadline, and always stopped (the whole group).

Every server listens on 127.0.0.1 only. Ports: the fleet binds port 0 and
reports the port it got; Prometheus and Alertmanager are given a port the OS
just handed out (``free_port``), the only way to pick theirs.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

LOOPBACK = "127.0.0.1"
START_TIMEOUT = 20.0  # seconds a server may take to answer its readiness URL
STOP_TIMEOUT = 5.0  # seconds between SIGTERM and SIGKILL
# util-linux: the child gets SIGKILL when the test process dies without its
# fixtures' finally (SIGKILL, a CI timeout), so no server outlives the run.
SETPRIV = shutil.which("setpriv")

T = TypeVar("T")


class Timeout(AssertionError):
    """A bounded wait ran out; the message says what was awaited and what was last seen."""


class Exited(Timeout):
    """A server exited while it was awaited; the message holds the end of its log."""


def free_port() -> int:
    """A loopback port the OS just handed out (for servers that cannot report theirs)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_for(what: str, probe: Callable[[], T | None], timeout: float, every: float = 0.25) -> T:
    """Call ``probe`` until it returns something true (not None, False, "" or []), at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        try:
            last = probe()
        except (OSError, ValueError) as err:  # not listening yet, bad JSON while starting
            last = err
        else:
            if last:
                return last
        if time.monotonic() >= deadline:
            raise Timeout(f"gave up after {timeout:.0f}s waiting for {what}; last seen: {last!r}")
        time.sleep(every)


def http_get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return response.read()


def http_json(url: str, body: Any = None, timeout: float = 5.0) -> Any:
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read() or b"null")


def answers(url: str) -> bool:
    try:
        http_get(url, timeout=1.0)
    except (urllib.error.URLError, OSError):
        return False
    return True


@dataclass
class Process:
    """A child process in its own process group, with its output in ``log``."""

    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, **kwargs: Any) -> Process:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        argv = [SETPRIV, "--pdeathsig", "KILL", "--", *self.argv] if SETPRIV else self.argv
        with open(self.log, "wb") as out:
            self.popen = subprocess.Popen(
                argv, stdout=out, stderr=out, stdin=subprocess.DEVNULL, start_new_session=True, **kwargs
            )
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, url: str, timeout: float = START_TIMEOUT) -> None:
        def probe() -> bool:
            if not self.alive():
                raise Exited(f"{self.name} exited with {self.popen.returncode if self.popen else None}:\n{self.tail()}")
            return answers(url)

        wait_for(f"{self.name} at {url}", probe, timeout)

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL after STOP_TIMEOUT; idempotent."""
        if self.popen is None:
            return
        _signal_group(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            _signal_group(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=STOP_TIMEOUT)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


class Processes:
    """Every process a fixture started; ``stop_all`` stops them in reverse order."""

    def __init__(self) -> None:
        self.started: list[Process] = []

    def start(self, process: Process, **kwargs: Any) -> Process:
        self.started.append(process)
        return process.start(**kwargs)

    def start_server(
        self, make: Callable[[int], Process], ready_path: str, cwd: Path, attempts: int = 3
    ) -> tuple[Process, str]:
        """A server that takes its port on the command line: started on a port
        free_port() handed out, and on another one if it exits while starting
        (someone took the port in between). Returns it and its base URL."""
        for attempt in range(attempts):
            port = free_port()
            process = self.start(make(port), cwd=cwd)
            url = f"http://{LOOPBACK}:{port}"
            try:
                process.wait_ready(url + ready_path)
            except Exited:
                if attempt == attempts - 1:
                    raise
                continue
            return process, url
        raise AssertionError("unreachable")

    def stop_all(self) -> None:
        while self.started:
            self.started.pop().stop()
