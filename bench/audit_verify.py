"""``anneal audit verify`` over one million records on PostgreSQL (issue #14: at most 5 s).

    ANNEAL_BENCH_DB=anneal_audit_verify .venv/bin/python bench/audit_verify.py [--records 1000000] [--rounds 5] [--reseed] [--compare]

The first run creates the database, inserts the records with one ``generate_series`` INSERT per
200,000 rows (organization 1; organization 2 interleaves a tenth as many, as in a shared table)
and seals them; later runs reuse it (``--reseed`` starts again). Each round verifies
organization 1 the way the command does (``verify.verify_organization``, checkpoints, instance
chain and every record) and asserts the report is intact and checked exactly ``--records``
records, before any time is printed. Times: median and range of the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from audit_chain import INSERT
from audit_setup import backend_cpu_seconds, fresh_database, license_audit_log, ratio_summary


def seed(records: int) -> None:
    from django.db import connection

    from anneal_enterprise.audit import sealing

    started = time.perf_counter()
    with connection.cursor() as cursor:
        step = 200_000
        for first in range(1, records + 1, step):
            cursor.execute(INSERT, [1, records, first, min(first + step - 1, records)])
            cursor.execute(INSERT, [2, records, first, first + step // 10 - 1])
    result = sealing.seal()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE anneal_audit_auditrecord")
        cursor.execute("VACUUM ANALYZE anneal_audit_auditseal")
    print(f"seeded and sealed {result.records:,} records in {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--compare", action="store_true", help="alternate with the reads before (the leader computing leaves too; two cursors)")
    args = parser.parse_args()
    os.environ.setdefault("ANNEAL_BENCH_DB", "anneal_audit_verify")
    fresh_database(keep=not args.reseed)
    from django.db import connection

    from anneal_enterprise.audit import reading, verify
    from anneal_enterprise.audit.models import AuditRecord, AuditSealState
    from anneal_enterprise.licensing.models import LicenseKey

    if not LicenseKey.objects.exists():
        license_audit_log()
    state = AuditSealState.objects.filter(id=1).first()
    if state is None or AuditRecord.objects.filter(organization_id=1).count() != args.records:
        assert not AuditRecord.objects.filter(organization_id__in=[1, 2]).exists(), "run with --reseed"
        seed(args.records)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fast_read = reading.SealedRecords

    class TwoCursors(fast_read):
        """The read before: records and seals through two server-side cursors, merged in Python."""

        def __iter__(self):  # type: ignore[no-untyped-def]
            return reading.records_with_seals(self.organization_id, self.after, leaves=True)

        def seals_unmatched(self, through: int) -> bool:
            return False  # the merge already saw every seal

    class LeaderComputing(fast_read):
        """The streamed read before: the leader computes leaves too, besides merging and sending."""

        leader_participation = "on"

    samples: dict[str, dict[str, list[float]]] = {}
    variants = ({"streamed": fast_read, "leader too": LeaderComputing, "two cursors": TwoCursors}
                if args.compare else {"streamed": fast_read})
    for _ in range(args.rounds):
        for name, read in variants.items():
            reading.SealedRecords = read  # type: ignore[misc]
            started_backend = backend_cpu_seconds(backend)
            started_cpu, started = time.process_time(), time.perf_counter()
            report = verify.verify_organization(1)
            wall = time.perf_counter() - started
            reading.SealedRecords = fast_read  # type: ignore[misc]
            assert report.intact, report.summary()
            assert report.records == args.records, f"{name} verified {report.records} records, not {args.records}"
            sample = samples.setdefault(name, {"wall": [], "cpu": [], "backend": []})
            sample["wall"].append(wall)
            sample["cpu"].append(time.process_time() - started_cpu)
            sample["backend"].append(backend_cpu_seconds(backend) - started_backend)
    print(f"verify organization 1: {args.records:,} records checked in every round of every variant, "
          f"{args.rounds} rounds (variants alternate)")
    for name, sample in samples.items():
        walls = sample["wall"]
        print(f"{name:12} wall {statistics.median(walls):.2f} s (range {min(walls):.2f} to {max(walls):.2f}) = "
              f"{args.records / statistics.median(walls):,.0f} records/s; this process CPU "
              f"{statistics.median(sample['cpu']):.2f} s, its PostgreSQL backend CPU "
              f"{statistics.median(sample['backend']):.2f} s (parallel workers not counted)")
    if args.compare:
        for other in ("leader too", "two cursors"):
            print(f"wall ratio streamed / {other}: {ratio_summary(samples['streamed']['wall'], samples[other]['wall'])}")


if __name__ == "__main__":
    main()
