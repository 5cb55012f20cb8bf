"""HTTPS webhook delivery: a JSON batch signed with HMAC-SHA256 over timestamp and body.

Headers: ``X-Anneal-Timestamp`` (Unix seconds), ``X-Anneal-Signature``
(``v1=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``), ``X-Anneal-Verification-Token``
(a static token to recognise us) and ``X-Anneal-Delivery`` (``<first id>-<last id>``). Each
event carries ``event_id`` for deduplication: delivery is at least once.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
from typing import Any
from urllib.parse import urlsplit


class DeliveryFailed(Exception):
    pass


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(self, url: str, secret: str, token: str, timeout: float = 10.0) -> None:
        self.parts = urlsplit(url)
        self.secret, self.token, self.timeout = secret, token, timeout
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            host, port = self.parts.hostname or "", self.parts.port
            if self.parts.scheme == "https":
                self.connection = http.client.HTTPSConnection(host, port, timeout=self.timeout,
                                                              context=ssl.create_default_context())
            else:
                self.connection = http.client.HTTPConnection(host, port, timeout=self.timeout)
        return self.connection

    def send(self, events: list[dict[str, Any]]) -> None:
        body = json.dumps({"events": events}, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json", "User-Agent": "Anneal-Audit-Streaming/1",
            "X-Anneal-Timestamp": timestamp, "X-Anneal-Signature": signature(self.secret, timestamp, body),
            "X-Anneal-Verification-Token": self.token,
            "X-Anneal-Delivery": f"{events[0]['id']}-{events[-1]['id']}",
        }
        path = (self.parts.path or "/") + (f"?{self.parts.query}" if self.parts.query else "")
        try:
            connection = self._connect()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise DeliveryFailed(f"Could not reach {self.parts.netloc}: {type(exc).__name__}: {exc}") from exc
        if not 200 <= response.status < 300:
            self.close()
            raise DeliveryFailed(f"{self.parts.netloc} answered HTTP {response.status}.")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
