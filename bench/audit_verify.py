"""``anneal audit verify`` over one million records on PostgreSQL (issue #14: at most 5 s).

    ANNEAL_BENCH_DB=anneal_audit_verify .venv/bin/python bench/audit_verify.py [--records 1000000] [--rounds 5] [--reseed] [--connections 2] [--compare]

The first run creates the database, inserts the records with one ``generate_series`` INSERT per
200,000 rows (organization 1; organization 2 interleaves a tenth as many, as in a shared table)
and seals them; later runs reuse it (``--reseed`` starts again). Each round verifies
organization 1 the way the command does (``verify.verify_organization``, checkpoints, instance
chain and every record) and asserts the report is intact, checked exactly ``--records``
records, and that the range was checked in as many parts (connections) as the variant names,
before any time is printed. Times: median and range of the rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any, Generator

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


class SealedRecords:
    """The verify's read before (kept here to compare): ``(id, leaf computed by PostgreSQL, leaf, chain)`` of an organization's records with ``id > after``,
    each with its seal (``None`` hashes when it has none), in id order: the fast read of a verify.

    One query, the records merge-joined with their seals, streamed (a plain query, not a cursor:
    PostgreSQL computes the leaves in parallel workers, and goes on computing while Python
    chains what it already sent). Call inside a transaction. A seal whose record is gone is *not* in it: :meth:`seals_unmatched`
    tells whether any seal in a range was left out, and then only the full outer read
    (:func:`records_with_seals`) may judge the chain.
    """

    leader_participation = "off"

    def __init__(self, organization_id: int | None, after: int) -> None:
        self.organization_id, self.after = organization_id, after
        self._matched: list[int] = []  # ids of the records read that had a seal

    def __iter__(self) -> Generator[tuple[int, Any, Any, Any], None, None]:
        from django.db import connection
        from psycopg.pq import TransactionStatus

        from anneal_enterprise.audit import reading

        record_condition, record_params = reading._org_condition("r0", self.organization_id)
        seal_condition, seal_params = reading._org_condition("s0", self.organization_id)
        sql = (f"SELECT r0.id, {reading.leaf_sql('r0')}, s0.leaf, s0.chain FROM {reading.RECORDS} r0 "
               f"LEFT JOIN {reading.SEALS} s0 ON s0.record_id = r0.id AND {seal_condition} "
               f"WHERE {record_condition} AND r0.id > %s ORDER BY r0.id")
        matched = self._matched
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            # Stopping early (a problem found) cancels the query, which aborts the transaction:
            # a savepoint lets the verify go on to the full read. The parallel workers compute the
            # leaves; the leader only merges their rows and sends them (computing a share of the
            # leaves too left the client waiting on it). Both undone when the read ends.
            cursor.execute("SAVEPOINT anneal_audit_fast_read")
            cursor.execute("SELECT set_config('parallel_leader_participation', %s, true)", [self.leader_participation])
            try:
                for row in cursor.stream(sql, [*seal_params, *record_params, self.after], size=reading.CHUNK):
                    if row[2] is not None:
                        matched.append(row[0])
                    yield row
            finally:
                # The read wrote nothing: rolling back to the savepoint only undoes the setting
                # and a cancelled query's abort (none of it when the connection is gone).
                if connection.connection.info.transaction_status in (TransactionStatus.INTRANS,
                                                                     TransactionStatus.INERROR):
                    cursor.execute("ROLLBACK TO SAVEPOINT anneal_audit_fast_read")
                    cursor.execute("RELEASE SAVEPOINT anneal_audit_fast_read")

    def seals_unmatched(self, through: int) -> bool:
        """Whether a seal with ``after < record id <= through`` had no record among those read."""
        from bisect import bisect_right

        from django.db import connection

        from anneal_enterprise.audit import reading

        condition, params = reading._org_condition("s0", self.organization_id)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {reading.SEALS} s0 WHERE {condition} AND s0.record_id > %s "
                           "AND s0.record_id <= %s", [*params, self.after, through])
            sealed = cursor.fetchone()[0]
        return sealed != bisect_right(self._matched, through)


def streamed_check(organization_id: int | None, checkpoints: list[dict[str, Any]], checked_through: int,
                   purged: int) -> Any:
    """The check before: every record streamed to Python, which chains it (``verify_entries``)."""
    from contextlib import closing

    from anneal_enterprise.audit import signing
    from anneal_enterprise.audit.chain import verify_entries

    sealed = SealedRecords(organization_id, purged)
    with closing(iter(sealed)) as entries:
        report = verify_entries(organization_id, entries, checkpoints, signing.trusted_public_keys(),
                                checked_through=checked_through, start_after=purged, checkpoints_verified=True)
    limit = max([checked_through] + [c["last_record_id"] for c in checkpoints])
    return report if report.intact and not sealed.seals_unmatched(limit) else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--connections", type=int, default=2, help="ANNEAL_AUDIT_VERIFY_CONNECTIONS of the product's check")
    parser.add_argument("--compare", action="store_true", help="alternate with the checks before: one statement "
                        "with parallel workers, and every record streamed to Python, which chains it")
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
    from django.conf import settings

    from anneal_enterprise.audit import database_check

    in_database, check_chain = verify.checked_in_database, database_check.check_chain
    samples: dict[str, dict[str, list[float]]] = {}
    # name: (the check, ANNEAL_AUDIT_VERIFY_CONNECTIONS, how many connections must have checked a part)
    variants: dict[str, tuple[Any, int, int | None]] = {"in database": (in_database, args.connections, args.connections)}
    if args.compare:
        variants["one statement"] = (in_database, 1, 1)
        variants["streamed"] = (streamed_check, 1, None)
    for _ in range(args.rounds):
        for name, (check, connections, parts) in variants.items():
            calls: list[Any] = []
            chain_checks: list[Any] = []

            def counted(*given: Any, check: Any = check) -> Any:
                calls.append(result := check(*given))
                return result

            def counted_chain(*given: Any, **options: Any) -> Any:
                chain_checks.append(result := check_chain(*given, **options))
                return result

            verify.checked_in_database = counted  # type: ignore[assignment]
            database_check.check_chain = counted_chain  # type: ignore[assignment]
            settings.ANNEAL_AUDIT_VERIFY_CONNECTIONS = connections
            started_backend = backend_cpu_seconds(backend)
            started_cpu, started = time.process_time(), time.perf_counter()
            report = verify.verify_organization(1)
            wall = time.perf_counter() - started
            verify.checked_in_database, database_check.check_chain = in_database, check_chain  # type: ignore[assignment]
            assert len(calls) == 1 and calls[0] is not None, f"{name}: the check did not decide alone"
            assert report.intact, report.summary()
            assert report.records == args.records, f"{name} verified {report.records} records, not {args.records}"
            ran = [chain.parts for chain in chain_checks]
            assert ran == ([] if parts is None else [parts]), f"{name}: parts checked {ran}, not {parts}"
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
              f"{statistics.median(sample['backend']):.2f} s (parallel workers and other connections not counted)")
    if args.compare:
        for before in ("one statement", "streamed"):
            print(f"wall ratio in database / {before}: "
                  f"{ratio_summary(samples['in database']['wall'], samples[before]['wall'])}")

if __name__ == "__main__":
    main()
