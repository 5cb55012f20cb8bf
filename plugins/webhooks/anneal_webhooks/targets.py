"""Which URLs may receive webhooks.

Endpoints must be ``https://`` URLs on public addresses, so that an organization admin cannot
make the server call into its own network. ``ANNEAL_WEBHOOKS_ALLOW_LOOPBACK`` (environment
variable of the same name) additionally allows ``http://`` and ``https://`` on 127.0.0.1, ::1
and localhost, for tests and local development.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


class TargetNotAllowed(ValueError):
    """The URL may not receive webhooks; the message says why and what to do."""


def loopback_allowed() -> bool:
    return bool(getattr(settings, "ANNEAL_WEBHOOKS_ALLOW_LOOPBACK", False))


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_loopback(host: str) -> bool:
    address = _address(host)
    return host.rstrip(".").lower() in LOOPBACK_NAMES if address is None else address.is_loopback


def validate_url(url: str) -> str:
    """Return ``url`` if it may receive webhooks, else raise :class:`TargetNotAllowed`."""
    url = (url or "").strip()
    if len(url) > 2000:
        raise TargetNotAllowed("The URL is longer than 2000 characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError for a port out of range)
    except ValueError as exc:
        raise TargetNotAllowed(f"The URL is not valid ({exc}).") from None
    if parts.scheme not in {"https", "http"} or not host:
        raise TargetNotAllowed("Give a full URL starting with https://, for example https://example.com/hooks.")
    if parts.username or parts.password:
        raise TargetNotAllowed("Remove the user name and password from the URL; deliveries are signed instead.")
    loopback = _is_loopback(host)
    if loopback and loopback_allowed():
        return url
    if parts.scheme != "https":
        raise TargetNotAllowed("Webhook endpoints must use https://.")
    if loopback:
        raise TargetNotAllowed("Webhooks cannot be sent to this server's own loopback address.")
    address = _address(host)
    if address is not None and not address.is_global:
        raise TargetNotAllowed(f"Webhooks cannot be sent to the private or reserved address {host}.")
    return url


def check_resolved(url: str) -> None:
    """Before sending: refuse a host name that resolves to a private or reserved address."""
    host = urlsplit(url).hostname or ""
    if _is_loopback(host) and loopback_allowed():
        return
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise TargetNotAllowed(f"The host {host} could not be resolved ({exc.strerror or exc}).") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if not address.is_global:
            raise TargetNotAllowed(f"The host {host} resolves to the non-public address {address}.")
