"""HTTP(S) requests through the outbound policy, pinned to the checked address.

Built on ``http.client`` with a connection whose socket comes from :func:`core.outbound.connect`:
the name is resolved once, every address checked, and the TCP connection made to a checked
address, while the ``Host`` header, SNI and certificate verification use the URL's host name.
Redirects are not followed unless the caller allows some (``max_redirects``); each hop is then
resolved and checked again, a redirect from ``https`` to ``http`` is refused, and the
``Authorization`` header is dropped when the host changes.

Environment proxies (``HTTPS_PROXY``) are not used: the policy checks the final destination.
"""

from __future__ import annotations

import http.client
import json as jsonlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from core.outbound.connect import DEFAULT_TIMEOUT, connect
from core.outbound.errors import InvalidDestination, OutboundUnreachable
from core.outbound.policy import is_allowlisted
from core.outbound.resolution import Resolver, check_literal

logger = logging.getLogger("anneal.outbound")

MAX_BYTES = 5 * 1024 * 1024
REDIRECTS = {301, 302, 303, 307, 308}
USER_AGENT = "Anneal"


@dataclass(frozen=True)
class Response:
    """What the server answered. ``headers`` has lower-case names."""

    status: int
    headers: Mapping[str, str]
    content: bytes
    url: str
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` if it is not."""
        return jsonlib.loads(self.content)


@dataclass(frozen=True)
class Destination:
    """A parsed ``http``/``https`` URL."""

    scheme: str
    host: str
    port: int
    path: str

    @property
    def origin(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}" + ("" if self.port == default else f":{self.port}")


def parse_url(url: str) -> Destination:
    """Split ``url``; :class:`InvalidDestination` for anything but a plain http(s) URL with a host."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise InvalidDestination("The URL is longer than 2000 characters.")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise InvalidDestination("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidDestination("The URL is not valid (check the host name and port).") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InvalidDestination("Give a full URL starting with https://, for example https://example.com/path.")
    if parts.username or parts.password:
        raise InvalidDestination("Remove the user name and password from the URL.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path)


def validate_url(url: str, *, require_https: bool = True, purpose: str = "") -> str:
    """Check ``url`` when it is saved, without connecting: its form, and its host if it is an address.

    ``require_https``: plain ``http://`` is accepted only to a host the instance admin
    allowlisted (an internal receiver). Host names are checked again, resolved, at every
    connection. Returns the URL stripped; raises :class:`InvalidDestination` or
    :class:`~core.outbound.OutboundRefused`.
    """
    destination = parse_url(url)
    check_literal(destination.host, purpose)
    if require_https and destination.scheme != "https" and not is_allowlisted(destination.host):
        raise InvalidDestination("The URL must start with https://.")
    return url.strip()


class _PinnedConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float, ca_pem: str | None, purpose: str,
                 resolver: Resolver | None) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.default_port = 443 if destination.scheme == "https" else 80  # the Host header omits a default port
        self._destination, self._ca_pem, self._purpose, self._resolver = destination, ca_pem, purpose, resolver

    def connect(self) -> None:
        self.sock = connect(self._destination.host, self._destination.port, tls=self._destination.scheme == "https",
                            ca_pem=self._ca_pem, timeout=self.timeout, purpose=self._purpose,
                            resolver=self._resolver)


def _body(data: bytes | Mapping[str, Any] | None, json: Any, headers: dict[str, str]) -> bytes | None:
    if json is not None:
        headers.setdefault("Content-Type", "application/json")
        return jsonlib.dumps(json).encode()
    if isinstance(data, Mapping):
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return urlencode(data).encode()
    return data


def _send(method: str, destination: Destination, body: bytes | None, headers: dict[str, str], timeout: float,
          max_bytes: int, ca_pem: str | None, purpose: str, resolver: Resolver | None) -> tuple[int, dict[str, str], bytes]:
    connection = _PinnedConnection(destination, timeout, ca_pem, purpose, resolver)
    try:
        connection.request(method, destination.path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise OutboundUnreachable(f"{destination.origin} answered more than {max_bytes} bytes")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, content
    except (OSError, http.client.HTTPException) as exc:
        logger.info("Outbound request (%s) to %s failed: %s: %s", purpose, destination.origin, type(exc).__name__, exc)
        raise OutboundUnreachable(f"{destination.origin}: {type(exc).__name__}: {exc}") from None
    finally:
        connection.close()


def request(method: str, url: str, *, purpose: str, headers: Mapping[str, str] | None = None,
            data: bytes | Mapping[str, Any] | None = None, json: Any = None, timeout: float = DEFAULT_TIMEOUT,
            max_redirects: int = 0, max_bytes: int = MAX_BYTES, ca_pem: str | None = None,
            resolver: Resolver | None = None) -> Response:
    """Send one HTTP request through the outbound policy and return the answer.

    ``purpose`` names the caller in logs (``"sso.saml_metadata"``). Every status is returned
    as a :class:`Response` (a redirect too, once ``max_redirects`` are used up); a refused
    destination raises :class:`~core.outbound.OutboundRefused` before any connection, and a
    network, TLS or protocol failure :class:`~core.outbound.OutboundUnreachable`.
    """
    destination = parse_url(url)
    sent_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(headers or {})}
    body = _body(data, json, sent_headers)
    hops: list[str] = []
    while True:
        status, answer, content = _send(method.upper(), destination, body, dict(sent_headers), timeout, max_bytes,
                                        ca_pem, purpose, resolver)
        location = answer.get("location")
        if status not in REDIRECTS or not location or len(hops) >= max_redirects:
            return Response(status, answer, content, url, hops)
        url = urljoin(url, location)
        following = parse_url(url)
        if destination.scheme == "https" and following.scheme != "https":
            raise InvalidDestination("The server redirected from https:// to plain http://; refused.")
        if following.host != destination.host:
            sent_headers = {k: v for k, v in sent_headers.items() if k.lower() not in {"authorization", "cookie"}}
        if status == 303 or (status in {301, 302} and method.upper() == "POST"):
            method, body = "GET", None
            sent_headers.pop("Content-Type", None)
        hops.append(url)
        destination = following


def get(url: str, *, purpose: str, **options: Any) -> Response:
    """``request("GET", url, ...)``."""
    return request("GET", url, purpose=purpose, **options)


def post(url: str, *, purpose: str, **options: Any) -> Response:
    """``request("POST", url, ...)``."""
    return request("POST", url, purpose=purpose, **options)
