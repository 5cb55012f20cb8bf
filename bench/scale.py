"""List endpoints and the audit log page at 10, 10,000 and 1,000,000 rows: first and last page.

    .venv/bin/python -m bench.scale [--sizes 10,10000,1000000] [--repeat 15]

On a fresh PostgreSQL database (``ANNEAL_BENCH_POSTGRES``, ``ANNEAL_BENCH_DB``, see
``bench/audit_setup.py``), with the enterprise package licensed (a real license key) and the
example plugins disabled. One organization grows to each size in projects, members, API tokens
(of one user) and audit records, while a second organization writes newer audit records (so
the first page of the big one cannot just read the newest rows of the table). Rows are
generated with SQL ``generate_series``. For each size and list, the first page and the last
page (a cursor positioned 50 rows from the end) are requested through Django's test client
(in-process, token authentication); the benchmark prints the median time and the SQL
statements per request, checks that every page holds 50 rows and that the query count does not
change with size, and prints the ratio of each size to the smallest.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_setup import fresh_database, license_audit_log  # noqa: E402

PAGE = 50


def cursor_for(position: str) -> str:
    """A cursor as ``core.api.pagination`` writes it (DRF's format: base64 of ``p=<position>``)."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def audit_cursor(record_id: int) -> str:
    from anneal_enterprise.audit.query import encode_cursor

    return encode_cursor(record_id)


def grow(cursor, organization_id: int, other_id: int, user_id: int, have: int, size: int) -> None:
    """Add rows ``have + 1 .. size`` of every kind to the big organization."""
    first, last = have + 1, size
    cursor.execute(
        "INSERT INTO core_project (organization_id, name, slug, description, created_at) "
        "SELECT %s, 'Project ' || n, 'project-' || lpad(n::text, 8, '0'), '', now() "
        "FROM generate_series(%s, %s) n", [organization_id, first, last])
    cursor.execute(
        "INSERT INTO core_user (password, is_superuser, email, name, is_active, is_staff, is_service, date_joined) "
        "SELECT '!', false, 'member' || n || '@scale.test', '', true, false, false, now() "
        "FROM generate_series(%s, %s) n", [first, last])
    cursor.execute(
        "INSERT INTO core_membership (organization_id, user_id, role, created_at) "
        "SELECT %s, u.id, 'member', now() FROM core_user u WHERE u.email LIKE 'member%%@scale.test' "
        "AND NOT EXISTS (SELECT 1 FROM core_membership m WHERE m.user_id = u.id)", [organization_id])
    cursor.execute(
        "INSERT INTO core_apitoken (user_id, name, prefix, token_hash, created_at) "
        "SELECT %s, 'scale ' || n, 'anl_x', md5('scale' || n) || md5('token' || n), "
        "now() - (n || ' seconds')::interval FROM generate_series(%s, %s) n", [user_id, first, last])
    cursor.execute(
        "INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id, "
        "actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id) "
        "SELECT gen_random_uuid(), %s, now(), 'project.updated', 'user', '1', 'owner@scale.test', 'project', "
        "(n %% 1000)::text, 'p', '{}', '', '', '' FROM generate_series(%s, %s) n", [organization_id, first, last])
    cursor.execute(  # another organization is active too: its records are the newest of the table
        "INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, actor_id, "
        "actor_display, target_type, target_id, target_display, details, ip, user_agent, request_id) "
        "SELECT gen_random_uuid(), %s, now(), 'project.updated', 'user', '1', 'other@scale.test', 'project', "
        "'1', 'p', '{}', '', '', '' FROM generate_series(1, %s) n", [other_id, max(1, (last - have) // 50)])
    cursor.execute("ANALYZE")


def print_plans(organization_id: int, deep_id: int) -> None:
    """EXPLAIN ANALYZE of the audit log's queries (the API's and the page's) at the largest size."""
    from django.db import connection

    from anneal_enterprise.audit.query import Filters, filtered

    cases = {
        "first page": Filters(),
        "filtered by action, first page": Filters(action="project.updated"),
        "filtered by actor, first page": Filters(actor="1"),
        "filtered by target, first page": Filters(target_type="project", target_id="7"),
        "filtered by time, first page": Filters(since=__import__("django.utils.timezone", fromlist=["now"]).now()
                                                - __import__("datetime").timedelta(days=1)),
    }
    for name, filters in cases.items():
        for label, queryset in ((name, filtered(organization_id, filters)),
                                (name.replace("first", "deep") + f" (id < {deep_id})",
                                 filtered(organization_id, filters).filter(id__lt=deep_id))):
            sql, params = queryset.order_by("-id")[:51].query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"-- audit records, {label}\n{plan}\n", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,10000,1000000")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    fresh_database()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from core.models import Organization, User
    from core.services import organizations, tokens

    license_audit_log()
    owner = User.objects.create_user("owner@scale.test", "scale password", is_staff=True)
    big = organizations.create_organization(owner, "Big")
    other = organizations.create_organization(owner, "Other")
    _, token = tokens.create_token(owner, "scale")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    web = Client()
    web.force_login(owner)
    base = f"/api/v1/organizations/{big.slug}"

    def last_positions(size: int) -> dict[str, str]:
        offset = min(PAGE, size - 1)
        with connection.cursor() as c:
            c.execute("SELECT slug FROM core_project WHERE organization_id = %s ORDER BY slug DESC OFFSET %s LIMIT 1",
                      [big.pk, offset])
            project = c.fetchone()[0]
            c.execute("SELECT user_id FROM core_membership WHERE organization_id = %s ORDER BY user_id DESC "
                      "OFFSET %s LIMIT 1", [big.pk, offset])
            member = c.fetchone()[0]
            c.execute("SELECT created_at FROM core_apitoken WHERE user_id = %s ORDER BY created_at OFFSET %s LIMIT 1",
                      [owner.pk, offset])
            token_time = c.fetchone()[0]
            c.execute("SELECT id FROM anneal_audit_auditrecord WHERE organization_id = %s ORDER BY id OFFSET %s "
                      "LIMIT 1", [big.pk, offset])
            record = c.fetchone()[0]
        return {"project": project, "member": str(member), "token": token_time.isoformat(), "record": record}

    def pages(size: int) -> dict[str, tuple[object, str]]:
        last = last_positions(size)
        return {
            "projects, first page": (api, f"{base}/projects/"),
            "projects, last page": (api, f"{base}/projects/?cursor={cursor_for(last['project'])}"),
            "members, first page": (api, f"{base}/members/"),
            "members, last page": (api, f"{base}/members/?cursor={cursor_for(last['member'])}"),
            "tokens, first page": (api, "/api/v1/tokens/"),
            "tokens, last page": (api, f"/api/v1/tokens/?cursor={cursor_for(last['token'])}"),
            "organizations (staff), first page": (api, "/api/v1/organizations/"),
            "audit records API, first page": (api, f"/api/v1/plugins/enterprise/audit/organizations/{big.slug}/records"),
            "audit records API, last page":
                (api, f"/api/v1/plugins/enterprise/audit/organizations/{big.slug}/records?cursor="
                      f"{audit_cursor(last['record'])}"),
            "audit log page (web), first page": (web, f"/plugins/enterprise/audit/organizations/{big.slug}/"),
        }

    def measure(client, url: str) -> tuple[float, int]:
        client.get(url)  # warm: caches, the once-a-second polls
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        if response["Content-Type"].startswith("application/json"):
            body = response.json()
            rows = body.get("results", body.get("records", body))
            assert 1 <= len(rows) <= PAGE, (url, len(rows))
        statements = len([q for q in queries.captured_queries
                          if "licensestate" not in q["sql"] and "core_sharedversion" not in q["sql"]])
        samples = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.get(url)
            samples.append(time.perf_counter() - started)
        return statistics.median(samples), statements

    results: dict[int, dict[str, tuple[float, int]]] = {}
    have = 0
    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
    for size in sizes:
        started = time.perf_counter()
        with connection.cursor() as c:
            grow(c, big.pk, other.pk, owner.pk, have, size)
        have = size
        print(f"{size:>9,} rows generated in {time.perf_counter() - started:.1f} s", flush=True)
        results[size] = {name: measure(client, url) for name, (client, url) in pages(size).items()}

    print_plans(big.pk, last_positions(sizes[-1])["record"])
    smallest = sizes[0]
    print(f"\nmedian of {args.repeat} requests (ms) and SQL statements per request; ratio to {smallest:,} rows")
    header = "".join(f"{size:>22,}" for size in sizes)
    print(f"{'':38}{header}")
    for name in results[smallest]:
        cells = []
        for size in sizes:
            seconds, statements = results[size][name]
            ratio = seconds / results[smallest][name][0]
            cells.append(f"{seconds * 1e3:8.1f} ms {statements:2d}q {ratio:4.2f}x")
        print(f"{name:38}" + "".join(f"{cell:>22}" for cell in cells))
        counts = {results[size][name][1] for size in sizes}
        assert len(counts) == 1, f"{name}: the number of SQL statements changes with size: {counts}"
    return 0


if __name__ == "__main__":
    sys.exit(main())
