"""RFC 5424 syslog over TCP (RFC 6587 octet counting), optionally over TLS (RFC 5425).

Each batch uses a fresh connection, so a receiver that restarted is simply reconnected to
(Python's ``SysLogHandler`` over TCP loses a message and then fails on every send after a
restart). After writing a batch we half-close and wait briefly for the receiver: a reset
means the batch may not have arrived, and it is sent again.
"""

from __future__ import annotations

import json
import socket
import ssl
from datetime import datetime
from typing import Any

from anneal_enterprise.audit.streaming.webhook import DeliveryFailed
from core import outbound

FACILITY_LOG_AUDIT = 13
SEVERITY = {"critical": 2, "warning": 4, "notice": 5, "info": 6}
ENTERPRISE_NUMBER = 32473  # the IANA example number (RFC 5612); structured data id anneal@32473


def _sd_escape(value: Any) -> str:
    return str(value if value is not None else "").replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _token(value: str, limit: int) -> str:
    cleaned = "".join(ch for ch in value if 33 <= ord(ch) <= 126)
    return cleaned[:limit] or "-"


def format_message(event: dict[str, Any], hostname: str) -> bytes:
    """One RFC 5424 message: header, ``anneal@32473`` structured data and the event as JSON."""
    priority = FACILITY_LOG_AUDIT * 8 + SEVERITY.get(event["severity"], 6)
    timestamp = datetime.fromisoformat(event["occurred_at"]).isoformat(timespec="microseconds").replace("+00:00", "Z")
    actor, target = event["actor"], event["target"] or {}
    params = {"id": event["id"], "eventId": event["event_id"], "org": event["organization_id"],
              "action": event["action"], "actorKind": actor["kind"], "actor": actor["display"],
              "target": f"{target.get('type', '')}:{target.get('id') or ''}" if target else ""}
    structured = "[anneal@%d %s]" % (ENTERPRISE_NUMBER, " ".join(f'{k}="{_sd_escape(v)}"' for k, v in params.items()))
    header = f"<{priority}>1 {timestamp} {_token(hostname, 255)} anneal - {_token(event['action'], 32)} {structured} "
    return header.encode() + b"\xef\xbb\xbf" + json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def frame(message: bytes) -> bytes:
    return str(len(message)).encode() + b" " + message


class SyslogSender:
    """Sends through ``core.outbound``: the host is resolved once, checked and pinned; with TLS the
    certificate is verified for the host name against ``ca_pem`` (PEM text) or the system's CAs."""

    def __init__(self, host: str, port: int, tls: bool = False, ca_pem: str = "", timeout: float = 10.0,
                 hostname: str | None = None) -> None:
        self.host, self.port, self.tls, self.ca_pem, self.timeout = host, port, tls, ca_pem, timeout
        self.hostname = hostname or socket.gethostname()

    def _connect(self) -> socket.socket:
        return outbound.connect(self.host, self.port, tls=self.tls, ca_pem=self.ca_pem or None,
                                timeout=self.timeout, purpose="audit.syslog")

    def send(self, events: list[dict[str, Any]]) -> None:
        payload = b"".join(frame(format_message(event, self.hostname)) for event in events)
        try:
            with self._connect() as sock:
                sock.sendall(payload)
                if not self.tls:
                    sock.shutdown(socket.SHUT_WR)
                    sock.settimeout(min(self.timeout, 2.0))
                    try:
                        while sock.recv(4096):
                            pass
                    except TimeoutError:
                        pass  # the receiver keeps the connection open: it accepted what we sent
        except outbound.OutboundError as exc:
            raise DeliveryFailed(f"Could not deliver to syslog {self.host}:{self.port}: {exc}.") from None
        except (OSError, ssl.SSLError):
            raise DeliveryFailed(f"Could not deliver to syslog {self.host}:{self.port}: the connection was lost.") from None

    def close(self) -> None:
        pass
