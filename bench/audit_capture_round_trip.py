"""Does the audit INSERT's own round trip explain the cost of an audited save? (issue #14)

    ANNEAL_BENCH_DB=anneal_audit_bench .venv/bin/python bench/audit_capture_round_trip.py [--saves 200] [--rounds 11]

Eight variants of ``projects.update_project`` alternate in every round, enterprise licensed:

* ``off``: the audit log's hook module detached (no capture);
* ``separate``: today's capture, the INSERT in its own round trip before the COMMIT;
* ``pipeline``: the record kept until the commit, then the INSERT and the COMMIT sent together
  in psycopg's pipeline mode (one round trip for both);
* ``one_message``: the same as a single simple-query message ``INSERT ...; COMMIT``;
* ``python_only``: the capture's Python (the license check, the record's values and details
  text) without the INSERT: what the capture costs before it reaches the database;
* ``unindexed``: today's INSERT, into an unindexed copy of the table: what the indexes cost;
* ``server_binding`` and ``prepared``: today's INSERT written on psycopg's own cursor (not
  Django's), its values bound by the server, and the same as a prepared statement.

The variants after ``separate`` are experiments, not the product: they replace the capture or
the connection's ``_commit`` in this process only. Every round of every variant is checked to
have written exactly one record per save where it names one (into the copy for ``unindexed``,
none for ``off`` and ``python_only``, which is checked to have built one per save instead)
before any ratio is printed. Ratios are
throughput ratios against ``off`` per round (CPU of this process plus its PostgreSQL backend,
and wall clock), median and range.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any, Callable

from audit_setup import alternate_samples, audit_hooks_registered, backend_cpu_seconds, fresh_database, \
    license_audit_log, ratio_summary


UNINDEXED = "bench_audit_unindexed"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args()
    fresh_database()
    import psycopg
    from django.db import connection

    from anneal_enterprise.audit import capture
    from core.models import User
    from core.services import organizations, projects

    license_audit_log()
    owner = User.objects.create_user("bench@example.com", "bench password")
    organization = organizations.create_organization(owner, "Bench")
    project = projects.create_project(organization, "Bench")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        cursor.execute(f"CREATE TABLE {UNINDEXED} (LIKE {capture.TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY)")
    counter = iter(range(10**9))
    original_capture, original_commit = capture.capture, connection._commit
    pending: list[tuple[Any, ...]] = []

    def kept(event: Any) -> None:
        if capture.is_recording(event.organization_id):
            pending.append(capture.record_values(event))

    built: list[int] = [0]

    def python_only(event: Any) -> None:
        if capture.is_recording(event.organization_id):
            capture.record_values(event)
            built[0] += 1

    def on_psycopg_cursor(prepare: bool) -> Callable[[Any], None]:
        def write(event: Any) -> None:
            if capture.is_recording(event.organization_id):
                with connection.wrap_database_errors:
                    psycopg.Cursor(connection.connection).execute(
                        capture._INSERT, capture.record_values(event), prepare=prepare)
        return write

    unindexed_insert = capture._INSERT.replace(capture.TABLE, UNINDEXED)

    def unindexed(event: Any) -> None:
        if capture.is_recording(event.organization_id):
            with connection.cursor() as cursor:
                cursor.execute(unindexed_insert, capture.record_values(event))

    def rows_written() -> tuple[int, int, int]:
        """Records in the table, in its unindexed copy, and built by ``python_only`` so far."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT (SELECT count(*) FROM {capture.TABLE}), (SELECT count(*) FROM {UNINDEXED})")
            return (*cursor.fetchone(), built[0])

    def pipelined_commit() -> None:
        if not pending:
            return original_commit()
        conn = connection.connection
        with conn.pipeline():
            with conn.cursor() as cursor:
                cursor.executemany(capture._INSERT, pending)
            conn.commit()
        pending.clear()

    def one_message_commit() -> None:
        if not pending:
            return original_commit()
        conn = connection.connection
        inserts = "; ".join(psycopg.ClientCursor(conn).mogrify(capture._INSERT, row) for row in pending)
        conn.execute(f"{inserts}; COMMIT".encode(), prepare=False)
        pending.clear()

    cpu: dict[str, list[float]] = {}

    def variant(name: str, audited: bool, capture_with: Callable[[Any], None],
                commit_with: Callable[[], None], expected: tuple[int, int, int]) -> Callable[[], float]:
        """``expected``: per save, the records written into the table and into its unindexed copy,
        and the records built without being written."""
        def run() -> float:
            audit_hooks_registered(audited)
            capture.capture, connection._commit = capture_with, commit_with
            projects.update_project(project, description=f"d{next(counter)}")  # reload after the plugin change
            before = rows_written()
            started_cpu = time.process_time() + backend_cpu_seconds(backend)
            started = time.perf_counter()
            for _ in range(args.saves):
                projects.update_project(project, description=f"d{next(counter)}")
            wall = time.perf_counter() - started
            cpu.setdefault(name, []).append(time.process_time() + backend_cpu_seconds(backend) - started_cpu)
            written = tuple(after - earlier for after, earlier in zip(rows_written(), before))
            assert written == tuple(args.saves * n for n in expected), f"{name} wrote {written} records"
            return args.saves / wall
        return run

    samples = alternate_samples({
        "off": variant("off", False, original_capture, original_commit, (0, 0, 0)),
        "separate": variant("separate", True, original_capture, original_commit, (1, 0, 0)),
        "pipeline": variant("pipeline", True, kept, pipelined_commit, (1, 0, 0)),
        "one_message": variant("one_message", True, kept, one_message_commit, (1, 0, 0)),
        "python_only": variant("python_only", True, python_only, original_commit, (0, 0, 1)),
        "unindexed": variant("unindexed", True, unindexed, original_commit, (0, 1, 0)),
        "server_binding": variant("server_binding", True, on_psycopg_cursor(False), original_commit, (1, 0, 0)),
        "prepared": variant("prepared", True, on_psycopg_cursor(True), original_commit, (1, 0, 0)),
    }, args.rounds)
    capture.capture, connection._commit = original_capture, original_commit
    print(f"PostgreSQL, enterprise licensed, {args.saves} service updates x {args.rounds} rounds "
          "(variants alternate; every round's audit records counted)")
    for name in ("separate", "pipeline", "one_message", "python_only", "unindexed", "server_binding", "prepared"):
        print(f"{name:14} CPU per save {statistics.median(cpu[name]) / args.saves * 1e6:6.0f} us "
              f"(off: {statistics.median(cpu['off']) / args.saves * 1e6:6.0f} us)  "
              f"throughput vs off: CPU {ratio_summary(cpu['off'], cpu[name])}  "
              f"wall {ratio_summary(samples[name], samples['off'])}")


if __name__ == "__main__":
    main()
