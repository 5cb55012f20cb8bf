"""Cost of audit capture: audited saves and API writes against the same without capture, and
django-auditlog doing the same saves, all on one PostgreSQL database in one run.

    pip install -e ".[bench]"     # django-auditlog, bench-only
    .venv/bin/python bench/audit_capture.py [--saves 500] [--requests 300] [--rounds 5] [--no-fsync]

The enterprise package runs licensed (a real license key signed by a throwaway test key); the
example plugins (webhooks, prompts) are disabled, so the variants differ only in what they name:

* ``without``: Anneal with the audit log's hook module detached (the core's events, no capture);
* ``with``: the same with the audit log attached: one audit record per event;
* ``plain`` / ``auditlog``: the model saved directly, without and with django-auditlog registered.

Before any ratio is printed, every round of every variant is checked: the audit records and
django-auditlog entries it wrote (exactly one per save, or none), and the SQL statements of
one save (capture adds exactly one INSERT). Ratios are per round (variants alternate within a
round), printed as median and range.
"""

from __future__ import annotations

import argparse
import statistics
from typing import Callable

from audit_setup import (alternate_samples, audit_hooks_registered, cpu_timed, fresh_database, license_audit_log,
                         ratio_summary, timed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-fsync", action="store_true",
                        help="SET synchronous_commit = off, so the CPU cost shows rather than the commit flush")
    args = parser.parse_args()
    fresh_database(extra_apps=["auditlog"])
    from django.db import connection

    if args.no_fsync:
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")

    from auditlog.models import LogEntry
    from auditlog.registry import auditlog
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from anneal_enterprise.audit.models import AuditRecord
    from core.models import Project, User
    from core.plugins import manager
    from core.services import organizations, projects, tokens

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    cpu: dict[str, list[float]] = {}

    def measured(name: str, count: int, operation: Callable[[], None]) -> float:
        """Wall-clock seconds of ``count`` operations; their CPU seconds (client + backend) go to ``cpu``."""
        wall = [0.0]

        def run() -> None:
            wall[0] = timed(lambda: [operation() for _ in range(count)])

        cpu.setdefault(name, []).append(cpu_timed(run, backend) / count)
        return wall[0]

    license_audit_log()
    loaded = {record.name for record in manager.records() if record.ok and not record.builtin}
    assert loaded == {"enterprise"}, f"only the enterprise package may be loaded, not {loaded}"
    owner = User.objects.create_user("bench@example.com", "bench password")
    organization = organizations.create_organization(owner, "Bench")
    project = projects.create_project(organization, "Bench")
    counter = iter(range(10**9))

    def configure(audit: bool, django_auditlog: bool) -> None:
        audit_hooks_registered(audit)
        if django_auditlog and Project not in auditlog.get_models():
            auditlog.register(Project)
        if not django_auditlog and Project in auditlog.get_models():
            auditlog.unregister(Project)

    def checked(name: str, run: Callable[[], float], count: int, records: int, entries: int) -> Callable[[], float]:
        """``run`` must write ``records`` audit records and ``entries`` auditlog entries per operation."""
        def variant() -> float:
            before = (AuditRecord.objects.count(), LogEntry.objects.count())
            result = run()
            written = (AuditRecord.objects.count() - before[0], LogEntry.objects.count() - before[1])
            assert written == (records * count, entries * count), f"{name} wrote {written}, expected " \
                f"{(records * count, entries * count)} (audit records, django-auditlog entries)"
            return result
        return variant

    def update_once() -> None:
        projects.update_project(project, description=f"d{next(counter)}")

    def create_once() -> None:
        projects.create_project(organization, f"P{next(counter)}")

    def plain_once() -> None:
        project.description = f"d{next(counter)}"
        with transaction.atomic():
            project.save()

    def service(name: str, audit: bool, operation: Callable[[], None],
                django_auditlog: bool = False) -> Callable[[], float]:
        def run() -> float:
            configure(audit, django_auditlog)
            return args.saves / measured(name, args.saves, operation)
        return run

    _, token = tokens.create_token(owner, "bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/organizations/{organization.slug}/projects/{project.slug}/"

    def patch_once() -> None:
        response = client.patch(url, {"description": f"d{next(counter)}"}, format="json")
        assert response.status_code == 200, response.content

    def api(name: str, audit: bool) -> Callable[[], float]:
        def run() -> float:
            configure(audit, False)
            return measured(name, args.requests, patch_once) / args.requests
        return run

    periodic = ("anneal_licensing_licensestate", "core_sharedversion", '"last_used_at" =')

    def statements(audit: bool, operation: Callable[[], None], django_auditlog: bool = False) -> list[str]:
        """The statements of one operation, without the once-a-second polls and the token's last use."""
        configure(audit, django_auditlog)
        operation()  # reload what the plugin change invalidated
        with CaptureQueriesContext(connection) as queries:
            operation()
        return [q["sql"] for q in queries.captured_queries if not any(p in q["sql"] for p in periodic)]

    shapes = {}
    for label, operation in (("update", update_once), ("create", create_once), ("PATCH", patch_once)):
        without, with_ = statements(False, operation), statements(True, operation)
        audit = [sql for sql in with_ if sql.startswith("INSERT INTO anneal_audit_auditrecord")]
        assert len(with_) == len(without) + 1 and len(audit) == 1, (label, without, with_)
        assert not any("anneal_audit" in sql for sql in without), (label, without)
        assert not any("webhook" in sql for sql in with_), "a webhooks query ran"
        shapes[label] = (len(without), len(with_))

    patch_once()  # warm up
    S = args.saves
    saves = alternate_samples({
        "update_without": checked("update without", service("update_without", False, update_once), S, 0, 0),
        "update_with": checked("update with", service("update_with", True, update_once), S, 1, 0),
        "create_without": checked("create without", service("create_without", False, create_once), S, 0, 0),
        "create_with": checked("create with", service("create_with", True, create_once), S, 1, 0),
        "plain": checked("plain", service("plain", False, plain_once), S, 0, 0),
        "auditlog": checked("auditlog", service("auditlog", False, plain_once, django_auditlog=True), S, 0, 1),
    }, args.rounds)
    latency = alternate_samples({
        "without": checked("PATCH without", api("without", False), args.requests, 0, 0),
        "with": checked("PATCH with", api("with", True), args.requests, 1, 0),
    }, args.rounds)
    configure(True, False)

    med = {name: statistics.median(values) for name, values in {**saves, **latency}.items()}
    print(f"synchronous_commit {'off' if args.no_fsync else 'on (default)'}; enterprise licensed, no other plugins")
    print(f"PostgreSQL, {S} saves x {args.rounds} rounds, {args.requests} API requests x {args.rounds} "
          "(variants alternate in each round; every round's rows checked)")
    for label, (without, with_) in shapes.items():
        print(f"SQL statements per {label}: {without} without capture, {with_} with (the one audit INSERT)")
    print(f"service updates/s  without: {med['update_without']:7.0f}  with capture: {med['update_with']:7.0f}  "
          f"throughput ratio with/without: {ratio_summary(saves['update_with'], saves['update_without'])}")
    print(f"service creates/s  without: {med['create_without']:7.0f}  with capture: {med['create_with']:7.0f}  "
          f"throughput ratio with/without: {ratio_summary(saves['create_with'], saves['create_without'])}")
    print(f"plain ORM saves/s           {med['plain']:7.0f}  django-auditlog: {med['auditlog']:7.0f}  "
          f"slowdown plain/auditlog: {ratio_summary(saves['plain'], saves['auditlog'])}")
    print(f"PATCH latency      without: {med['without'] * 1e3:6.2f} ms  with capture: {med['with'] * 1e3:6.2f} ms  "
          f"latency ratio with/without: {ratio_summary(latency['with'], latency['without'])}")
    print("CPU per operation, this process + its PostgreSQL backend (barely moved by other load; leaves out waits):")
    for label, top, bottom in (("update", "update_with", "update_without"), ("create", "create_with", "create_without"),
                               ("PATCH", "with", "without")):
        print(f"  {label:7} without: {statistics.median(cpu[bottom]) * 1e6:7.0f} us  with capture: "
              f"{statistics.median(cpu[top]) * 1e6:7.0f} us  throughput ratio with/without: "
              f"{ratio_summary(cpu[bottom], cpu[top])}  (latency ratio: {ratio_summary(cpu[top], cpu[bottom])})")
    print(f"  plain ORM save: {statistics.median(cpu['plain']) * 1e6:7.0f} us  django-auditlog: "
          f"{statistics.median(cpu['auditlog']) * 1e6:7.0f} us  slowdown: {ratio_summary(cpu['auditlog'], cpu['plain'])}")


if __name__ == "__main__":
    main()
