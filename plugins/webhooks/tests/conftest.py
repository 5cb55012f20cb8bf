"""A real local HTTP receiver for webhook deliveries, and organizations with endpoints."""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest


@dataclass
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers with the queued status codes in order, then with ``default_status``."""

    url: str
    statuses: deque[int] = field(default_factory=deque)
    default_status: int = 200
    received: list[ReceivedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, count: int, status: int = 500) -> None:
        with self.lock:
            self.statuses.extend([status] * count)

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.popleft() if self.statuses else self.default_status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            target = state["receiver"]
            with target.lock:
                target.received.append(ReceivedRequest(self.path, dict(self.headers.items()), body))
            code = target.next_status()
            self.send_response(code)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state["receiver"]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def owner(make_user: Any) -> Any:
    """The owner of ``organization``: owner@example.com."""
    return make_user(email="owner@example.com")


@pytest.fixture
def organization(make_organization: Any, owner: Any) -> Any:
    """Acme, owned by ``owner``; a test module may define its own."""
    return make_organization(name="Acme", owner=owner)


@pytest.fixture
def allow_loopback(outbound_allow: Any) -> None:
    """Let endpoints on 127.0.0.1 (over http://) subscribe, here and in worker processes.

    The instance admin's outbound allowlist (``ANNEAL_OUTBOUND_ALLOW``) decides, as in production.
    """
    outbound_allow("127.0.0.1")



