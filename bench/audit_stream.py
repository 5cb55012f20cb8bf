"""Streaming throughput: sealed records delivered to a local webhook receiver, batched.

    .venv/bin/python bench/audit_stream.py [--records 100000] [--batch 1000] [--rounds 3]

The receiver runs in a process of its own (as a SIEM would): it parses every JSON body and
counts the events, and each round asserts it received exactly the records the destination's
organization holds before a rate is printed. Rounds rewind the destination's cursor; the rate
is the median of the rounds, with the range.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from audit_setup import fresh_database, license_audit_log
from audit_chain import INSERT


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    received: Any = None  # a multiprocessing.Value shared with the benchmark

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with Receiver.received.get_lock():
            Receiver.received.value += len(body["events"])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def serve(received: Any, port: Any) -> None:
    Receiver.received = received
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    port.value = server.server_address[1]
    server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    fresh_database()
    license_audit_log()
    from django.conf import settings
    from django.db import connection

    from anneal_enterprise.audit import sealing
    from anneal_enterprise.audit.models import AuditDestination, AuditRecord
    from anneal_enterprise.audit.streaming import delivery, destinations
    from core.models import Organization

    with connection.cursor() as cursor:
        cursor.execute(INSERT, [1, args.records, 1, args.records])
        cursor.execute(INSERT, [2, args.records, 1, args.records // 10])
    sealing.seal()
    with connection.cursor() as cursor:  # as autovacuum would have: without statistics the batch query sorts
        cursor.execute("ANALYZE anneal_audit_auditrecord")  # every remaining record of the organization
    settings.ANNEAL_OUTBOUND_ALLOW = ["127.0.0.1"]  # the instance admin's allowance for a local receiver
    received, port = multiprocessing.Value("q", 0), multiprocessing.Value("i", 0)
    receiver = multiprocessing.get_context("fork").Process(target=serve, args=(received, port), daemon=True)
    receiver.start()
    while not port.value:
        time.sleep(0.05)
    results: dict[int, float] = {}
    rates: dict[int, list[float]] = {1: [], args.batch: []}
    for batch in [1] + [args.batch] * args.rounds:
        # one event per request is slow: measure it on organization 2's newest 1,000 records
        organization = Organization(pk=2 if batch == 1 else 1)
        count = min(1000, args.records // 10) if batch == 1 else args.records
        destination, _ = destinations.create(organization, {"name": f"bench {batch}", "kind": "webhook",
                                                            "url": f"http://127.0.0.1:{port.value}/"})
        older = (AuditRecord.objects.filter(organization_id=organization.pk, id__lte=delivery.sealed_through())
                 .order_by("-id").values_list("id", flat=True))
        AuditDestination.objects.filter(pk=destination.pk).update(cursor=older[count] if batch == 1 else 0)
        settings.ANNEAL_AUDIT_STREAM_BATCH = batch
        received.value = 0
        started = time.perf_counter()
        delivery.deliver(destination.pk, time_budget=3600)
        seconds = time.perf_counter() - started
        assert received.value == count, (received.value, count)
        rates[batch].append(count / seconds)
        print(f"batch {batch:5d}: {count:,} events delivered in {seconds:.2f} s = "
              f"{count / seconds:,.0f} events/s (signed HMAC-SHA256, receiver in its own process)")
        AuditDestination.objects.filter(pk=destination.pk).update(enabled=False)
    results = {batch: statistics.median(values) for batch, values in rates.items()}
    many = sorted(rates[args.batch])
    print(f"batch {args.batch}: median {results[args.batch]:,.0f} events/s (range {many[0]:,.0f} to {many[-1]:,.0f}, "
          f"{args.rounds} rounds); batching speed-up: {results[args.batch] / results[1]:.1f}x")
    receiver.terminate()


if __name__ == "__main__":
    main()
