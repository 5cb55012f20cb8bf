"""``anneal audit verify`` over one million records on PostgreSQL (issue #14: at most 5 s).

    ANNEAL_BENCH_DB=anneal_audit_verify .venv/bin/python bench/audit_verify.py [--records 1000000] [--rounds 5] [--reseed]

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
from audit_setup import backend_cpu_seconds, fresh_database, license_audit_log


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
    args = parser.parse_args()
    os.environ.setdefault("ANNEAL_BENCH_DB", "anneal_audit_verify")
    fresh_database(keep=not args.reseed)
    from django.db import connection

    from anneal_enterprise.audit import verify
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
    walls, cpus, backends = [], [], []
    for _ in range(args.rounds):
        started_backend = backend_cpu_seconds(backend)
        started_cpu, started = time.process_time(), time.perf_counter()
        report = verify.verify_organization(1)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
        backends.append(backend_cpu_seconds(backend) - started_backend)
        assert report.intact, report.summary()
        assert report.records == args.records, f"verified {report.records} records, expected {args.records}"
    print(f"verify organization 1: {args.records:,} records checked in every round, {args.rounds} rounds")
    print(f"wall {statistics.median(walls):.2f} s (range {min(walls):.2f} to {max(walls):.2f}) = "
          f"{args.records / statistics.median(walls):,.0f} records/s; this process CPU "
          f"{statistics.median(cpus):.2f} s, its PostgreSQL backend CPU {statistics.median(backends):.2f} s")


if __name__ == "__main__":
    main()
