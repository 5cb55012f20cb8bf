"""One policy for every connection the server makes on someone's behalf (SSRF protection).

Use this module, and nothing else, for any server-side fetch whose destination a person or a
remote document chose (identity providers, SIEMs, webhook endpoints, ...)::

    from core import outbound

    outbound.validate_url(url, purpose="myplugin.endpoint")        # when it is saved
    response = outbound.get(url, purpose="myplugin.fetch")          # when it is used
    sock = outbound.connect(host, port, tls=True, ca_pem=pem, purpose="myplugin.tcp")

Every call resolves the host once, checks every address against the policy
(:mod:`core.outbound.policy`: loopback, link-local, metadata, private, ... refused unless the
instance admin allowlists them with ``ANNEAL_OUTBOUND_ALLOW``) and connects to a checked
address (pinning). Redirects are not followed unless asked for, and each hop is checked.

Errors: :class:`OutboundRefused` (``str()`` is "refused by the outbound policy") and
:class:`OutboundUnreachable` ("could not connect") are safe to show to an organization admin;
the details are logged to ``anneal.outbound`` and kept in ``exc.detail``. A malformed URL
raises :class:`InvalidDestination`, whose message is about the URL itself.

Successful connections are recorded for the egress ledger (System → Egress ledger); plugins
list their destinations there with the ``anneal_egress_destinations`` hook.
"""

from __future__ import annotations

from core.outbound.connect import connect, tls_context, validate_ca_pem, validate_host
from core.outbound.errors import InvalidDestination, OutboundError, OutboundRefused, OutboundUnreachable
from core.outbound.http import Response, get, parse_url, post, request, validate_url
from core.outbound.ledger import key_for_url, last_contacts
from core.outbound.policy import AddressClass, Allowlist, AllowlistInvalid, classify, current_allowlist, is_allowlisted
from core.outbound.resolution import Resolver, resolve, use_resolver

__all__ = [
    "AddressClass",
    "Allowlist",
    "AllowlistInvalid",
    "InvalidDestination",
    "OutboundError",
    "OutboundRefused",
    "OutboundUnreachable",
    "Resolver",
    "Response",
    "classify",
    "connect",
    "current_allowlist",
    "get",
    "is_allowlisted",
    "key_for_url",
    "last_contacts",
    "parse_url",
    "post",
    "request",
    "resolve",
    "tls_context",
    "use_resolver",
    "validate_ca_pem",
    "validate_host",
    "validate_url",
]
