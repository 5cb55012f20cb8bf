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
    """Reads RFC 6587 octet-counted RFC 5424 messages; closes the connection at end of input.

    With ``tls`` (an ``ssl.SSLContext`` for the server side) it speaks RFC 5425 syslog over TLS.
    """

    def __init__(self, tls: Any = None) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()
        self.tls = tls

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

        tls = self.tls

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

            def get_request(self) -> Any:
                sock, address = self.socket.accept()
                return (tls.wrap_socket(sock, server_side=True) if tls else sock), address

        return Server(("127.0.0.1", port), Handler)

    @property
    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(message.split(b"\xef\xbb\xbf", 1)[1]) for message in self.messages]


def self_signed_certificate(directory: Any) -> tuple[str, str]:
    """A throwaway certificate for 127.0.0.1 (cert and key PEM paths), made with ``cryptography``."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "syslog-cert.pem", directory / "syslog-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path)
