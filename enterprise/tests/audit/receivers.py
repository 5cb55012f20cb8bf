"""Real local receivers for streaming tests: an HTTP webhook endpoint and a syslog TCP listener.

Both bind 127.0.0.1 on a port chosen by the system, and can be stopped and started again on
the same port to play a SIEM that goes down and comes back.
"""

from __future__ import annotations

import json
import re
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Restartable:
    server: socketserver.BaseServer | None = None
    port: int = 0

    def _make(self, port: int) -> socketserver.BaseServer:  # pragma: no cover - overridden
        raise NotImplementedError

    def start(self) -> "_Restartable":
        self.server = self._make(self.port)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


class WebhookReceiver(_Restartable):
    """Collects POSTed batches; ``status`` sets the answer (e.g. 500 to refuse)."""

    def __init__(self) -> None:
        self.batches: list[dict[str, Any]] = []
        self.status = 200
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/audit"

    @property
    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [event for batch in self.batches for event in batch["body"]["events"]]

    def _make(self, port: int) -> socketserver.BaseServer:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.status == 200:
                    with receiver.lock:
                        receiver.batches.append({"headers": dict(self.headers), "raw": raw, "body": json.loads(raw)})
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        return server


FRAME = re.compile(rb"(\d+) ")


class SyslogListener(_Restartable):
    """Reads RFC 6587 octet-counted RFC 5424 messages; closes the connection at end of input."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    def _make(self, port: int) -> socketserver.BaseServer:
        listener = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                buffer = b""
                while True:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        break
                    buffer += chunk
                    while True:
                        match = FRAME.match(buffer)
                        if not match:
                            break
                        length, start = int(match.group(1)), match.end()
                        if len(buffer) < start + length:
                            break
                        with listener.lock:
                            listener.messages.append(buffer[start:start + length])
                        buffer = buffer[start + length:]

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        return server

    @property
    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(message.split(b"\xef\xbb\xbf", 1)[1]) for message in self.messages]
