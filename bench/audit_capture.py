"""Cost of audit capture: audited saves and API writes against the same without capture, and
django-auditlog doing the same saves, all on one PostgreSQL database in one run.

    pip install -e ".[bench]"     # django-auditlog, bench-only
    .venv/bin/python bench/audit_capture.py [--saves 500] [--requests 300] [--rounds 3] [--no-fsync]
"""

from __future__ import annotations

import argparse

from audit_setup import alternate, audit_hooks_registered, fresh_database, license_audit_log, timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=500)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-fsync", action="store_true",
                        help="SET synchronous_commit = off, so the CPU cost shows rather than the commit flush")
    args = parser.parse_args()
    fresh_database(extra_apps=["auditlog"])
    if args.no_fsync:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")

    from auditlog.registry import auditlog
    from django.db import transaction
    from rest_framework.test import APIClient

    from anneal_enterprise.audit.models import AuditRecord
    from core.models import Project, User
    from core.services import organizations, projects, tokens

    license_audit_log()
    owner = User.objects.create_user("bench@example.com", "bench password")
    organization = organizations.create_organization(owner, "Bench")
    project = projects.create_project(organization, "Bench")
    counter = iter(range(10**9))

    def service_saves() -> float:
        def run() -> None:
            for _ in range(args.saves):
                projects.update_project(project, description=f"d{next(counter)}")
        return args.saves / timed(run)

    def anneal_without() -> float:
        audit_hooks_registered(False)
        return service_saves()

    def anneal_with() -> float:
        audit_hooks_registered(True)
        return service_saves()

    def plain_saves() -> float:
        def run() -> None:
            for _ in range(args.saves):
                project.description = f"d{next(counter)}"
                with transaction.atomic():
                    project.save()
        return args.saves / timed(run)

    def plain() -> float:
        audit_hooks_registered(False)
        if Project in auditlog.get_models():
            auditlog.unregister(Project)
        return plain_saves()

    def with_auditlog() -> float:
        audit_hooks_registered(False)
        if Project not in auditlog.get_models():
            auditlog.register(Project)
        return plain_saves()

    _, token = tokens.create_token(owner, "bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/v1/organizations/{organization.slug}/projects/{project.slug}/"

    def requests() -> float:
        def run() -> None:
            for _ in range(args.requests):
                response = client.patch(url, {"description": f"d{next(counter)}"}, format="json")
                assert response.status_code == 200, response.content
        return timed(run) / args.requests

    def api_without() -> float:
        audit_hooks_registered(False)
        return requests()

    def api_with() -> float:
        audit_hooks_registered(True)
        return requests()

    requests()  # warm up
    saves = alternate({"anneal_without": anneal_without, "anneal_with": anneal_with, "plain": plain,
                       "auditlog": with_auditlog}, args.rounds)
    api = alternate({"without": api_without, "with": api_with}, args.rounds)
    audit_hooks_registered(True)
    from auditlog.models import LogEntry

    print(f"synchronous_commit {'off' if args.no_fsync else 'on (default)'}")
    print(f"PostgreSQL, {args.saves} saves x {args.rounds} rounds (medians), {args.requests} API requests x {args.rounds}")
    print(f"service saves/s  without audit log: {saves['anneal_without']:8.0f}   with capture: {saves['anneal_with']:8.0f}"
          f"   ratio (throughput with/without): {saves['anneal_with'] / saves['anneal_without']:.2f}")
    print(f"plain ORM saves/s                 : {saves['plain']:8.0f}   django-auditlog: {saves['auditlog']:8.0f}"
          f"   ratio (auditlog slowdown plain/auditlog): {saves['plain'] / saves['auditlog']:.2f}")
    print(f"PATCH project latency  without: {api['without'] * 1e3:.2f} ms   with capture: {api['with'] * 1e3:.2f} ms"
          f"   ratio (latency with/without): {api['with'] / api['without']:.3f}")
    print(f"(records written: {AuditRecord.objects.count()}, auditlog entries: {LogEntry.objects.count()})")


if __name__ == "__main__":
    main()
