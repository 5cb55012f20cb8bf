"""Raw TCP and TLS connections to a checked, pinned address (syslog and the HTTP client)."""

from __future__ import annotations

import logging
import socket
import ssl

from core.outbound import ledger
from core.outbound.errors import InvalidDestination, OutboundUnreachable
from core.outbound.policy import is_host_name
from core.outbound.resolution import Resolver, check_literal, literal_address, resolve

logger = logging.getLogger("anneal.outbound")

DEFAULT_TIMEOUT = 10.0


def tls_context(ca_pem: str | None = None) -> ssl.SSLContext:
    """A verifying client context: the system's trust store, or only the CAs in ``ca_pem``."""
    if ca_pem:
        context = ssl.create_default_context(cadata=ca_pem)
    else:
        context = ssl.create_default_context()
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def validate_ca_pem(ca_pem: str) -> str:
    """``ca_pem`` if it holds at least one PEM certificate, else :class:`InvalidDestination`."""
    text = (ca_pem or "").strip()
    if not text:
        return ""
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise InvalidDestination("The CA certificate must be PEM text starting with -----BEGIN CERTIFICATE-----.")
    try:
        ssl.create_default_context(cadata=text)
    except (ssl.SSLError, ValueError):
        raise InvalidDestination("The CA certificate is not a valid PEM certificate.") from None
    return text + "\n"


def validate_host(host: str, port: int | str, *, purpose: str = "") -> tuple[str, int]:
    """Check a ``host`` and TCP ``port`` when they are saved, without connecting.

    The host is a DNS name or an address; an address the policy refuses raises
    :class:`~core.outbound.OutboundRefused` now, a name is checked (resolved) at each connection.
    Returns the cleaned host and the port as an int; :class:`InvalidDestination` if malformed.
    """
    host = (host or "").strip().lower().rstrip(".")
    text = str(port).strip()
    if not host or not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidDestination("Give a host name and a TCP port from 1 to 65535.")
    if literal_address(host) is None and not is_host_name(host):
        raise InvalidDestination("The host is not a valid host name or IP address.")
    check_literal(host, purpose)
    return host.strip("[]"), int(text)


def connect(host: str, port: int, *, tls: bool = False, ca_pem: str | None = None,
            timeout: float = DEFAULT_TIMEOUT, purpose: str = "", resolver: Resolver | None = None) -> socket.socket:
    """A connected socket to ``host:port``, TLS-wrapped when ``tls``.

    ``host`` is resolved once and every address checked against the policy
    (:class:`~core.outbound.OutboundRefused`); the socket connects to one of those addresses,
    never to a second resolution. With ``tls`` the certificate is verified for ``host`` (SNI
    and host name check use the name, not the address), against ``ca_pem`` if given.
    Failures raise :class:`~core.outbound.OutboundUnreachable`.
    """
    if not host or not 0 < int(port) < 65536:
        raise InvalidDestination("Give a host name and a port from 1 to 65535.")
    addresses = resolve(host, port, purpose=purpose, resolver=resolver)
    context = tls_context(ca_pem) if tls else None
    last: Exception | None = None
    for address in addresses:
        family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect((str(address), int(port)))
            if context is not None:
                sock = context.wrap_socket(sock, server_hostname=host.strip("[]"))
        except (OSError, ssl.SSLError, ValueError) as exc:
            sock.close()
            last = exc
            continue
        ledger.record_contact(host, int(port))
        return sock
    logger.info("Outbound connection (%s) to %s:%s failed: %s: %s", purpose, host, port, type(last).__name__, last)
    raise OutboundUnreachable(f"{host}:{port}: {type(last).__name__}: {last}")
