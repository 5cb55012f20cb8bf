"""HTTPS webhook delivery: a JSON batch signed with HMAC-SHA256 over timestamp and body.

Headers: ``X-Anneal-Timestamp`` (Unix seconds), ``X-Anneal-Signature``
(``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``), ``X-Anneal-Verification-Token``
(a static token to recognise us) and ``X-Anneal-Delivery`` (``<first id>-<last id>``). Each
event carries ``event_id`` for deduplication: delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

from core import outbound


class DeliveryFailed(Exception):
    pass


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookSender:
    """Posts through ``core.outbound``: checked and pinned at every batch, no redirects followed."""

    def __init__(self, url: str, secret: str, token: str, timeout: float = 10.0) -> None:
        self.url, self.netloc = url, urlsplit(url).netloc
        self.secret, self.token, self.timeout = secret, token, timeout

    def send(self, events: list[dict[str, Any]]) -> None:
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        self.send_body(body, events[0]["id"], events[-1]["id"])

    def send_events_json(self, events: str, first_id: int, last_id: int) -> None:
        """Send events already written as JSON objects, joined by commas, as one batch."""
        self.send_body(('{"events":[' + events + "]}").encode(), first_id, last_id)

    def send_body(self, body: bytes, first_id: int, last_id: int) -> None:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json", "User-Agent": "Anneal-Audit-Streaming/1",
            "X-Anneal-Timestamp": timestamp, "X-Anneal-Signature": signature(self.secret, timestamp, body),
            "X-Anneal-Verification-Token": self.token,
            "X-Anneal-Delivery": f"{first_id}-{last_id}",
        }
        try:
            response = outbound.post(self.url, data=body, headers=headers, timeout=self.timeout,
                                     purpose="audit.webhook", max_bytes=1024 * 1024)
        except outbound.OutboundError as exc:
            raise DeliveryFailed(f"Could not reach {self.netloc}: {exc}.") from None
        if not 200 <= response.status < 300:
            raise DeliveryFailed(f"{self.netloc} answered HTTP {response.status}.")

    def close(self) -> None:
        pass
