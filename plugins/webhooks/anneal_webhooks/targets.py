"""Which URLs may receive webhooks: Anneal's outbound policy (``core.outbound``), nothing of our own.

Endpoints must be ``https://`` URLs without credentials; an address the policy refuses
(loopback, link-local, cloud metadata, private networks unless the instance admin allowlisted
them with ``ANNEAL_OUTBOUND_ALLOW``) is refused when subscribing. Each delivery is resolved,
checked and pinned again by ``core.outbound`` (see ``delivery.post``). Plain ``http://`` is
accepted only to a host the instance admin allowlisted.
"""

from __future__ import annotations

from core import outbound


class TargetNotAllowed(ValueError):
    """The URL may not receive webhooks; the message says why and what to do."""


def validate_url(url: str) -> str:
    """Return ``url`` if it may receive webhooks, else raise :class:`TargetNotAllowed`."""
    try:
        return outbound.validate_url(url, require_https=True, purpose="webhooks.endpoint")
    except outbound.OutboundRefused as exc:
        raise TargetNotAllowed(f"Webhooks to this address are {exc}. {exc.hint}") from None
    except outbound.InvalidDestination as exc:
        raise TargetNotAllowed(str(exc)) from None
