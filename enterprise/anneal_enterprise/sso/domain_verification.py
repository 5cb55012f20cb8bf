"""Proving an email domain by a DNS TXT record, looked up with dnspython.

The resolver is the system's (``/etc/resolv.conf``) unless the Django setting or environment variable
``ANNEAL_SSO_DNS_NAMESERVERS`` names nameservers: a list (or a comma-separated string) of ``address``
or ``address:port`` (``[v6-address]:port`` for IPv6). ``ANNEAL_SSO_DNS_TIMEOUT`` (seconds, default 5)
bounds one lookup.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings

from anneal_enterprise.sso.models import VerifiedDomain


class LookupFailed(Exception):
    """The DNS could not be asked (no answer from the nameservers): nothing is known about the record."""


@dataclass(frozen=True)
class Outcome:
    """What one check found: ``verified``, or ``error`` saying what is wrong and what to do."""

    verified: bool
    error: str = ""


def _nameserver(entry: str) -> dns.nameserver.Nameserver:
    entry = entry.strip()
    host, port = entry, 53
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        if rest.startswith(":"):
            port = int(rest[1:])
    elif entry.count(":") == 1:
        host, _, text = entry.partition(":")
        port = int(text)
    ipaddress.ip_address(host)  # a ValueError for a name: nameservers are given by address
    if not 0 < port < 65536:
        raise ValueError(port)
    return dns.nameserver.Do53Nameserver(host, port)


def configured_nameservers() -> list[str]:
    value = getattr(settings, "ANNEAL_SSO_DNS_NAMESERVERS", None) or os.environ.get("ANNEAL_SSO_DNS_NAMESERVERS", "")
    if isinstance(value, str):
        value = value.split(",")
    return [entry.strip() for entry in value if entry and entry.strip()]


def resolver() -> dns.resolver.Resolver:
    """A resolver per the settings: the configured nameservers, or the system's."""
    timeout = float(getattr(settings, "ANNEAL_SSO_DNS_TIMEOUT", None) or os.environ.get("ANNEAL_SSO_DNS_TIMEOUT") or 5)
    entries = configured_nameservers()
    try:
        result = dns.resolver.Resolver(configure=not entries)
    except dns.resolver.NoResolverConfiguration:
        raise LookupFailed("this server has no DNS resolver configured; set ANNEAL_SSO_DNS_NAMESERVERS") from None
    if entries:
        try:
            result.nameservers = [_nameserver(entry) for entry in entries]
        except ValueError:
            raise LookupFailed(f"ANNEAL_SSO_DNS_NAMESERVERS is not a list of address[:port]: {entries!r}") from None
    result.lifetime = timeout
    result.timeout = timeout
    return result


def txt_values(name: str) -> list[str]:
    """The TXT strings published at ``name`` (each record's strings joined); empty when there is none.

    Raises ``LookupFailed`` when no nameserver answered.
    """
    try:
        answer = resolver().resolve(name, "TXT", search=False, raise_on_no_answer=False)
    except dns.resolver.NXDOMAIN:
        return []
    except (dns.resolver.NoNameservers, dns.exception.Timeout) as exc:
        raise LookupFailed(f"the DNS did not answer ({exc.__class__.__name__}; nameservers: "
                           f"{', '.join(configured_nameservers()) or 'the system resolver'})") from None
    except dns.exception.DNSException as exc:
        raise LookupFailed(f"the DNS lookup failed: {exc}") from None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer] if answer.rrset else []


def check(domain: VerifiedDomain) -> Outcome:
    """Look up the domain's TXT record and compare it with the expected value; changes nothing."""
    try:
        values = txt_values(domain.record_name)
    except LookupFailed as exc:
        return Outcome(False, f"Could not check {domain.record_name}: {exc}. The domain stays pending; "
                              "try again later, or ask your instance administrator to check the DNS resolver.")
    if domain.record_value in values:
        return Outcome(True)
    if any(value.startswith(VerifiedDomain.VALUE_PREFIX) for value in values):
        return Outcome(False, f"The TXT record at {domain.record_name} holds a different token. Set it to "
                              f"\"{domain.record_value}\" exactly.")
    return Outcome(False, f"No TXT record \"{domain.record_value}\" found at {domain.record_name}. Publish it "
                          "in your DNS, wait for it to propagate, then verify again.")
