"""Which addresses the server may connect to: address classes and the instance admin's allowlist.

Refused whatever the allowlist says, unless an entry names the address itself: nothing. Every
class below is refused by default and only an entry of ``ANNEAL_OUTBOUND_ALLOW`` opens it:

* ``loopback``, ``link-local``, ``unspecified`` (``0.0.0.0``, ``::``), ``multicast``,
  ``broadcast`` and ``reserved`` (documentation, benchmarking, 240/4, site-local, ...);
* ``metadata``: cloud instance metadata services (AWS, GCP, Azure, Alibaba, ECS). Only an
  entry for that exact address opens one, so ``0.0.0.0/0`` or ``169.254.0.0/16`` do not;
* ``private``: RFC 1918, unique local ``fc00::/7`` and carrier-grade NAT ``100.64/10``.

IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible
``::a.b.c.d``, IPv4-translated ``::ffff:0:a.b.c.d``, NAT64 ``64:ff9b::/96`` and 6to4 ``2002::/16``) are classified by the IPv4
address they carry; Teredo is refused as reserved.

Allowlist entries are addresses or CIDR networks (they allow every address in them, of any
class except ``metadata``), or host names: ``idp.corp.example`` allows that name, and
``.corp.example`` every name under it, to resolve to **private** addresses. A host name entry
never opens loopback, link-local or metadata addresses: a DNS answer is not trusted that far.
"""

from __future__ import annotations

import enum
import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AddressClass(enum.Enum):
    """What kind of address a destination resolved to; only ``PUBLIC`` is allowed without the allowlist."""

    PUBLIC = "public"
    PRIVATE = "private"
    LOOPBACK = "loopback"
    LINK_LOCAL = "link-local"
    METADATA = "metadata"
    UNSPECIFIED = "unspecified"
    MULTICAST = "multicast"
    BROADCAST = "broadcast"
    RESERVED = "reserved"


METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
    "169.254.170.2",  # AWS ECS task metadata
    "fd00:ec2::254",  # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
))
PRIVATE_NETWORKS: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7",
))
NAT64 = ipaddress.ip_network("64:ff9b::/96")
TEREDO = ipaddress.ip_network("2001::/32")


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    value = int(address)
    if address in NAT64 or (0 < value < 2 ** 32 and value != 1) or value >> 32 == 0xFFFF0000:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def classify(address: IPAddress | str) -> AddressClass:
    """The class of ``address``; IPv6 forms of an IPv4 address are classified by that address."""
    address = ipaddress.ip_address(address) if isinstance(address, str) else address
    if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
        address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
    inner = embedded_ipv4(address)
    if inner is not None:
        return classify(inner)
    if address in METADATA_ADDRESSES:
        return AddressClass.METADATA
    if address.is_unspecified:
        return AddressClass.UNSPECIFIED
    if address.is_loopback:
        return AddressClass.LOOPBACK
    if address.is_link_local:
        return AddressClass.LINK_LOCAL
    if address.is_multicast:
        return AddressClass.MULTICAST
    if address == ipaddress.IPv4Address("255.255.255.255"):
        return AddressClass.BROADCAST
    if any(address in network for network in PRIVATE_NETWORKS if network.version == address.version):
        return AddressClass.PRIVATE
    if isinstance(address, ipaddress.IPv6Address) and address in TEREDO:
        return AddressClass.RESERVED
    if not address.is_global:
        return AddressClass.RESERVED
    return AddressClass.PUBLIC


class AllowlistInvalid(ValueError):
    """An ``ANNEAL_OUTBOUND_ALLOW`` entry is neither an address, a network nor a host name."""


@dataclass(frozen=True)
class Allowlist:
    """The instance admin's exceptions to the policy (``ANNEAL_OUTBOUND_ALLOW``)."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()
    domains: tuple[str, ...] = ()  # ".corp.example": every name under it

    @classmethod
    def parse(cls, entries: Iterable[str]) -> "Allowlist":
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        domains: list[str] = []
        for raw in entries:
            entry = raw.strip().lower().rstrip(".")
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = entry[1:] if entry.startswith(".") else entry
            if not is_host_name(name):
                raise AllowlistInvalid(
                    f"ANNEAL_OUTBOUND_ALLOW: {raw!r} is not an IP address, a CIDR network (10.0.0.0/8) or a "
                    f"host name (idp.corp.example, or .corp.example for every name under it).")
            (domains.append("." + name) if entry.startswith(".") else hosts.add(name))
        return cls(tuple(networks), frozenset(hosts), tuple(domains))

    def allows_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return host in self.hosts or any(host.endswith(domain) for domain in self.domains)

    def allows_address(self, address: IPAddress) -> bool:
        """``address`` is inside an allowlisted network (metadata addresses only by an exact entry)."""
        if classify(address) is AddressClass.METADATA:
            return any(n.num_addresses == 1 and address in n for n in self.networks if n.version == address.version)
        candidates = [address]
        inner = embedded_ipv4(address)
        if inner is not None:
            candidates.append(inner)
        return any(a in n for a in candidates for n in self.networks if n.version == a.version)

    def describe(self) -> list[str]:
        """The entries, for the System page."""
        return [str(n) for n in self.networks] + sorted(self.hosts) + list(self.domains)


def is_host_name(name: str) -> bool:
    labels = name.split(".")
    return 0 < len(name) <= 253 and all(
        0 < len(label) <= 63 and label.replace("-", "").replace("_", "").isalnum() and label.isascii()
        and not label.startswith("-") and not label.endswith("-") for label in labels)


@functools.lru_cache(maxsize=8)
def _parsed(entries: tuple[str, ...]) -> Allowlist:
    return Allowlist.parse(entries)


def current_allowlist() -> Allowlist:
    """The allowlist from ``settings.ANNEAL_OUTBOUND_ALLOW`` (a list of entries, or one comma-separated string)."""
    from django.conf import settings

    value = getattr(settings, "ANNEAL_OUTBOUND_ALLOW", ())
    entries: Sequence[str] = value.split(",") if isinstance(value, str) else value
    return _parsed(tuple(entries))


def refusal_reason(address: IPAddress, host: str, allowlist: Allowlist | None = None) -> str | None:
    """Why connecting to ``address`` (resolved from ``host``) is refused, or ``None`` if it is allowed."""
    allowlist = allowlist if allowlist is not None else current_allowlist()
    kind = classify(address)
    if kind is AddressClass.PUBLIC or allowlist.allows_address(address):
        return None
    if kind is AddressClass.PRIVATE and allowlist.allows_host(host):
        return None
    return f"{host} -> {address} is a {kind.value} address, not in ANNEAL_OUTBOUND_ALLOW"


def is_allowlisted(host: str, allowlist: Allowlist | None = None) -> bool:
    """``host`` (a name or an address literal) is named by the allowlist itself.

    Callers use this for exceptions the instance admin grants with the same entry, such as
    plain ``http://`` to an allowlisted internal receiver.
    """
    allowlist = allowlist if allowlist is not None else current_allowlist()
    try:
        return allowlist.allows_address(ipaddress.ip_address(host.strip("[]").split("%", 1)[0]))
    except ValueError:
        return allowlist.allows_host(host)
