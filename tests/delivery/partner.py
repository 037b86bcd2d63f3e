"""A partner app in a thread: verifies with ``standardwebhooks``, parses with ``cloudevents``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cloudevents.v1.http import from_json
from standardwebhooks import Webhook


class Partner:
    def __init__(self, secret: str | None = None, *, fail_first: int = 0, status: int = 500):
        self.secret = secret
        self.fail_first = fail_first
        self.failure_status = status
        self.attempts = 0
        self.events: list[Any] = []
        self.rejected = 0
        self.lock = threading.Lock()

    def handle(self, body: bytes, headers: dict[str, str]) -> int:
        with self.lock:
            self.attempts += 1
            if self.attempts <= self.fail_first:
                return self.failure_status
        if self.secret is not None:
            try:
                Webhook(self.secret).verify(body, headers)
            except Exception:
                with self.lock:
                    self.rejected += 1
                return 400
        event = from_json(body)
        with self.lock:
            self.events.append(event)
        return 204


@contextmanager
def serving(partner: Partner) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            status = partner.handle(body, {k.lower(): v for k, v in self.headers.items()})
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()
