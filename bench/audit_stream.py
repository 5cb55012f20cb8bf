"""Streaming throughput: sealed records delivered to a local webhook receiver, batched.

    .venv/bin/python bench/audit_stream.py [--records 100000] [--batch 1000] [--rounds 3] [--compare-json]

``--compare-json`` first times the batch query side by side: the product's (the records
limited first, each written by concatenation, the event types joined as a small table, all
joined into one text) against one row per record written with ``json_build_object``, as before,
over the same 20 batches in alternating rounds, asserting that both give exactly the same events.

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


# The batch query's JSON expression before (json_build_object, details parsed as jsonb).
BUILD_OBJECT = """json_build_object(
    'id', r.id, 'event_id', r.event_id::text,
    'occurred_at', to_char(r.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00',
    'organization_id', r.organization_id, 'action', r.type,
    'category', COALESCE(%(types)s::jsonb -> r.type ->> 0, 'other'),
    'severity', COALESCE(%(types)s::jsonb -> r.type ->> 1, 'info'),
    'actor', json_build_object('kind', r.actor_kind, 'id', NULLIF(r.actor_id, ''), 'display', r.actor_display),
    'target', CASE WHEN r.target_type <> '' THEN json_build_object(
        'type', r.target_type, 'id', NULLIF(r.target_id, ''), 'display', r.target_display) END,
    'diff', COALESCE(d.details -> 'diff', '{}'::jsonb), 'data', COALESCE(d.details -> 'data', '{}'::jsonb),
    'ip', NULLIF(r.ip, ''), 'user_agent', r.user_agent, 'request_id', NULLIF(r.request_id, ''))::text"""


def compare_json(batch: int, rounds: int) -> None:
    """Time the product's batch query (:func:`delivery.batch_json_sql`) against one row per record
    written with :data:`BUILD_OBJECT`, on organization 1's first 20 batches."""
    from django.db import connection

    from anneal_enterprise.audit.streaming import delivery
    from core.events import registry

    types = json.dumps({name: [t.category, t.severity] for name, t in registry.event_types().items()})
    build_object = ("SELECT r.id, " + BUILD_OBJECT + " FROM anneal_audit_auditrecord r CROSS JOIN LATERAL "
                    "(SELECT COALESCE(NULLIF(r.details, ''), '{}')::jsonb AS details) d "
                    "WHERE r.organization_id = 1 AND r.id > %(cursor)s ORDER BY r.id LIMIT %(size)s")
    product_params = {"organization": 1, "horizon": 2**62, **delivery.event_types_table()}

    seconds: dict[str, list[float]] = {"json_build_object": [], "batch query": []}
    events: dict[str, list[Any]] = {}
    for _ in range(rounds):
        for name in seconds:
            read_events: list[Any] = []
            with connection.cursor() as cursor:
                # The time covers the query and fetching its text, not the parsing (done after).
                started = time.perf_counter()
                after, texts = 0, []
                for _ in range(20):
                    if name == "batch query":
                        cursor.execute(delivery.batch_json_sql(), {**product_params, "cursor": after, "size": batch})
                        texts.append(cursor.fetchone())
                        after = texts[-1][2]
                    else:
                        cursor.execute(build_object, {"types": types, "cursor": after, "size": batch})
                        texts.append(cursor.fetchall())
                        after = texts[-1][-1][0]
                seconds[name].append(time.perf_counter() - started)
            for text in texts:
                if name == "batch query":
                    parsed = json.loads(f"[{text[3]}]")
                    assert text[0] == len(parsed) and (text[1], text[2]) == (parsed[0]["id"], parsed[-1]["id"])
                    read_events += parsed
                else:
                    read_events += [json.loads(row[1]) for row in text]
            events[name] = read_events
    assert len(events["batch query"]) == 20 * batch, len(events["batch query"])
    assert events["batch query"] == events["json_build_object"], "the two queries wrote different events"
    ratios = sorted(a / b for a, b in zip(seconds["json_build_object"], seconds["batch query"]))
    per_batch = {name: statistics.median(values) / 20 * 1000 for name, values in seconds.items()}
    print(f"batch JSON, {20 * batch:,} records, {rounds} rounds: json_build_object {per_batch['json_build_object']:.1f} ms "
          f"a batch, the batch query {per_batch['batch query']:.1f} ms; speed-up {statistics.median(ratios):.2f}x "
          f"(range {ratios[0]:.2f} to {ratios[-1]:.2f}); the same {20 * batch:,} events")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--compare-json", action="store_true")
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
    if args.compare_json:
        compare_json(args.batch, max(args.rounds, 5))
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
