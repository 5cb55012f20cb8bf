"""Real listeners on loopback for tests of outbound connections, counting every connection.

``http_listener()`` answers every request the same way, or per path with ``routes``; its
``connections`` counts TCP connections accepted (so a test proves that *nothing* connected)
and ``requests`` keeps what was received. ``closed_port()`` is a loopback port with nothing
listening. ``certificate()`` and ``server_tls()`` make a throwaway TLS server certificate.
"""

from __future__ import annotations

import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class CountingHttpServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: Any, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(address, handler)
        self.connections = 0
        self.requests: list[dict[str, Any]] = []
        self.tls = tls
        self.routes: dict[str, Answer] = {}

    def get_request(self) -> Any:
        sock, address = self.socket.accept()
        self.connections += 1
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, address


Answer = tuple[int, dict[str, str], bytes]


def http_listener(host: str = "127.0.0.1", port: int = 0, status: int = 200, body: bytes = b"hello",
                  headers: dict[str, str] | None = None, tls: ssl.SSLContext | None = None,
                  routes: dict[str, Answer] | None = None) -> CountingHttpServer:
    """An HTTP server in a thread answering GET/POST with ``status``, ``headers`` and ``body``.

    ``routes`` maps a path (without query) to its own ``(status, headers, body)``; it may be
    filled after the server started (its URL is known only then).
    """

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            server.requests.append({"path": self.path, "headers": dict(self.headers),
                                    "body": self.rfile.read(length) if length else b""})
            code, extra, content = (server.routes or {}).get(self.path.split("?", 1)[0], (status, headers or {}, body))
            self.send_response(code)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _answer  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    server = CountingHttpServer((host, port), Handler, tls)
    server.routes = routes if routes is not None else {}
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


def url_of(server: CountingHttpServer, path: str = "") -> str:
    """The ``http://`` (or ``https://``) URL of a listener from :func:`http_listener`, with ``path``."""
    host, port = server.server_address[:2]
    return f"{'https' if server.tls else 'http'}://{host}:{port}{path}"


def stop(server: Any) -> None:
    """Shut a listener down and close its socket."""
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    """A loopback port with nothing listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def certificate(directory: Any, name: str) -> tuple[str, str, str]:
    """A self-signed certificate for the DNS name ``name``: (cert path, key path, cert PEM)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_text(pem)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return str(cert_path), str(key_path), pem


def server_tls(cert_path: str, key_path: str) -> ssl.SSLContext:
    """A server-side TLS context for a listener, from a certificate made by :func:`certificate`."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
