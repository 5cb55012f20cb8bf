"""A real DNS server for tests (dnslib), serving TXT records from a dict on 127.0.0.1 and a free UDP port."""

from __future__ import annotations

import socket
from typing import Any

from dnslib import QTYPE, RCODE, RR, TXT, DNSRecord
from dnslib.server import BaseResolver, DNSLogger, DNSServer


class TxtZone(BaseResolver):
    """Answers TXT queries from ``records`` (name → list of values); every other name is NXDOMAIN."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.queries: list[str] = []

    def resolve(self, request: DNSRecord, handler: Any) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append(name)
        values = self.records.get(name)
        if values is None:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in values:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=60))
        return reply


class LocalDnsServer:
    """A running UDP DNS server; ``publish`` sets a name's TXT values, ``nameserver`` is ``127.0.0.1:port``."""

    def __init__(self) -> None:
        self.zone = TxtZone()
        quiet = DNSLogger("-request,-reply,-truncated,-error,-recv,-send,-data")
        self.server = DNSServer(self.zone, address="127.0.0.1", port=0, logger=quiet)
        self.server.start_thread()
        self.port = self.server.server.server_address[1]

    @property
    def nameserver(self) -> str:
        return f"127.0.0.1:{self.port}"

    def publish(self, name: str, *values: str) -> None:
        self.zone.records[name.lower()] = list(values)

    def stop(self) -> None:
        self.server.stop()
        self.server.server.server_close()


def unreachable_nameserver() -> str:
    """``127.0.0.1:port`` of a UDP port just freed, where no DNS server listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"127.0.0.1:{port}"
