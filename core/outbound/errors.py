"""The errors of :mod:`core.outbound`.

Their ``str()`` is safe to show to anyone, including an organization admin who typed the URL:
it never says which address a name resolved to, whether a port is open or closed, or what the
TLS handshake said. The full story is in ``detail``, which :mod:`core.outbound` logs to the
``anneal.outbound`` logger and which callers must not show.
"""

from __future__ import annotations


class OutboundError(Exception):
    """Base class: a connection :mod:`core.outbound` did not make or could not complete."""

    public_message = "the connection failed"

    def __init__(self, detail: str = "") -> None:
        super().__init__(self.public_message)
        self.detail = detail

    def __str__(self) -> str:
        return self.public_message


class InvalidDestination(OutboundError):
    """The URL or host is malformed (no host, bad port, unsupported scheme, credentials in it).

    Its message is about what the person typed, so it is shown as is.
    """

    def __init__(self, message: str) -> None:
        self.public_message = message
        super().__init__(message)


class OutboundRefused(OutboundError):
    """The destination is not allowed by the outbound policy (checked before any connection)."""

    public_message = "refused by the outbound policy"
    hint = ("This server does not connect to loopback, link-local, cloud metadata or private network "
            "addresses unless an instance administrator allows them (ANNEAL_OUTBOUND_ALLOW). If the "
            "destination is on your private network, ask your instance administrator.")


class OutboundUnreachable(OutboundError):
    """The destination is allowed but could not be reached: DNS, TCP, TLS, timeout or protocol error."""

    public_message = "could not connect"
    hint = "Check the address, that the service is running and that its certificate is valid, then try again."
