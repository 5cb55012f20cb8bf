"""Streaming throughput: sealed records delivered to a local webhook receiver, batched.

    .venv/bin/python bench/audit_stream.py [--records 100000] [--batch 1000]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from audit_setup import fresh_database, license_audit_log
from audit_chain import INSERT


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received = 0

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Receiver.received += len(body["events"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    fresh_database()
    license_audit_log()
    from django.conf import settings
    from django.db import connection

    from anneal_enterprise.audit import sealing
    from anneal_enterprise.audit.models import AuditDestination
    from anneal_enterprise.audit.streaming import delivery, destinations
    from core.models import Organization

    with connection.cursor() as cursor:
        cursor.execute(INSERT, [1, args.records, 1, args.records])
        cursor.execute(INSERT, [2, args.records, 1, args.records // 10])
    sealing.seal()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    results = {}
    for batch in (1, args.batch):
        Receiver.received = 0
        # one event per request is slow: measure it on organization 2's 10% of the records
        organization = Organization(pk=2 if batch == 1 else 1)
        count = args.records // 10 if batch == 1 else args.records
        destination, _ = destinations.create(organization, {"name": f"bench {batch}", "kind": "webhook",
                                                            "url": f"http://127.0.0.1:{server.server_address[1]}/"})
        AuditDestination.objects.filter(pk=destination.pk).update(cursor=0)
        settings.ANNEAL_AUDIT_STREAM_BATCH = batch
        started = time.perf_counter()
        delivery.deliver(destination.pk, time_budget=3600)
        assert Receiver.received == count, (Receiver.received, count)
        seconds = time.perf_counter() - started
        results[batch] = Receiver.received / seconds
        print(f"batch {batch:5d}: {Receiver.received:,} events delivered in {seconds:.2f} s = "
              f"{results[batch]:,.0f} events/s (one process, signed HMAC-SHA256, local HTTP receiver)")
        AuditDestination.objects.filter(pk=destination.pk).update(enabled=False)
    print(f"batching speed-up: {results[args.batch] / results[1]:.1f}x")
    server.shutdown()


if __name__ == "__main__":
    main()
