"""Resolve a host name once and check every address it resolves to.

The addresses returned are the ones to connect to (pinning): nothing resolves the name again
between the check and the connection, so a DNS answer that changes in between (rebinding)
cannot reach an address the policy refused.

The resolver is injectable so tests can play a DNS server that answers differently each time
(``use_resolver``); production uses ``socket.getaddrinfo``.
"""

from __future__ import annotations

import contextlib
import contextvars
import ipaddress
import logging
import socket
from collections.abc import Callable, Iterator

from core.outbound.errors import OutboundRefused, OutboundUnreachable
from core.outbound.policy import IPAddress, refusal_reason

logger = logging.getLogger("anneal.outbound")

Resolver = Callable[[str, int], list[str]]
"""``resolver(host, port)`` returns the addresses of ``host`` as strings, in preference order."""


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


_resolver: contextvars.ContextVar[Resolver | None] = contextvars.ContextVar("anneal_outbound_resolver", default=None)
_default_resolver: list[Resolver] = [system_resolver]


@contextlib.contextmanager
def use_resolver(resolver: Resolver) -> Iterator[None]:
    """Resolve host names with ``resolver`` inside the block (tests: a DNS that rebinds)."""
    previous = _default_resolver[0]
    _default_resolver[0] = resolver  # threads too: the code under test may resolve in a worker thread
    token = _resolver.set(resolver)
    try:
        yield
    finally:
        _resolver.reset(token)
        _default_resolver[0] = previous


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


def check_literal(host: str, purpose: str = "") -> None:
    """Refuse ``host`` now if it is an address literal the policy refuses (no DNS lookup)."""
    address = literal_address(host)
    if address is not None:
        reason = refusal_reason(address, host)
        if reason:
            logger.warning("Outbound connection refused (%s): %s", purpose or "unspecified", reason)
            raise OutboundRefused(reason)


def resolve(host: str, port: int, purpose: str = "", resolver: Resolver | None = None) -> list[IPAddress]:
    """Every address of ``host``, each allowed by the policy; raises if any one is refused.

    One refused address refuses the whole name: a name that resolves to a public and a
    loopback address is an attack (or a misconfiguration) either way.
    """
    literal = literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        resolve_with = resolver or _resolver.get() or _default_resolver[0]
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in resolve_with(host, port)]
        except (OSError, UnicodeError, ValueError) as exc:
            logger.info("Outbound connection (%s): %s could not be resolved: %s", purpose, host, exc)
            raise OutboundUnreachable(f"{host} could not be resolved: {exc}") from None
        if not addresses:
            raise OutboundUnreachable(f"{host} resolved to no address")
    for address in addresses:
        reason = refusal_reason(address, host)
        if reason:
            logger.warning("Outbound connection refused (%s): %s", purpose or "unspecified", reason)
            raise OutboundRefused(reason)
    return list(dict.fromkeys(addresses))
