"""Local stand-ins for PagerDuty's Events API and a Slack incoming webhook:
one HTTP server on 127.0.0.1 (port chosen by the OS) that records every JSON
body posted to it, by path, and answers as the real services do (PagerDuty
202 with a status, Slack 200 "ok")."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.e2e.processes import LOOPBACK, wait_for

PAGERDUTY_PATH = "/pagerduty/v2/enqueue"
SLACK_PATH = "/slack/services/e2e"


class Webhooks:
    def __init__(self) -> None:
        self.received: list[tuple[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhooks", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def __enter__(self) -> Webhooks:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def posted(self, path: str) -> list[Any]:
        with self._lock:
            return [body for where, body in self.received if where == path]

    def wait_for(self, path: str, what: str, match: Any, timeout: float) -> Any:
        """The first body posted to ``path`` for which ``match(body)`` is true."""
        return wait_for(what, lambda: next((b for b in self.posted(path) if match(b)), None), timeout)

    def _record(self, path: str, body: Any) -> None:
        with self._lock:
            self.received.append((path, body))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        record = self._record

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"null")
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                record(self.path, body)
                pagerduty = self.path == PAGERDUTY_PATH
                answer = b'{"status":"success","message":"Event processed"}' if pagerduty else b"ok"
                self.send_response(202 if pagerduty else 200)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_: object) -> None:  # quiet
                pass

        return Handler
