"""A large instance against a small one: the pages people and staff open, and the lists, side by side.

    .venv/bin/python -m bench.scale [--levels 10,10000] [--million] [--rounds 7] [--per-round 3]

Each level is a PostgreSQL database of its own (cloned from one migrated template, named
``ANNEAL_BENCH_DB`` + ``_<level>``; ``ANNEAL_BENCH_POSTGRES`` is the server), with the enterprise
package licensed (a real key) and the example plugins (prompts, webhooks) enabled. At level ``L`` one "big"
organization has ``L`` members, projects, pending invitations and audit records, and its staff
owner has ``L`` API tokens; from 10,000 on, the instance also has 100,000 users (``L`` when
larger) and 10,000 organizations, every user a member of one of them (each with a project), and
another organization ("busy") writes newer audit records, webhook deliveries and prompt versions
(1 for every 50 of the big organization's). The big organization also has a webhook endpoint with
``L`` deliveries and a prompt with ``L`` versions. Below 10,000 the instance has
``L`` users and ``L`` organizations (at least 10). Ratios are to the level ``--baseline`` (100: the
small instance whose pages are full, as on the large ones; at 10 a page shows 10 rows, not 50). The owner belongs to the big organization and to four others at every
level, so their organization list has five rows everywhere. Rows are generated with
``generate_series`` and counted before measuring: each level must hold what it names.

Rounds are interleaved: in every round each level serves each request ``--per-round`` times
(after one untimed request that reconnects to that level's database). The script prints the
median and the range (fastest..slowest) in milliseconds, the ratio of medians to the smallest
level, the SQL statements per request (without the once-a-second license and shared-cache
polls) and the rows the page showed; it fails if a request's statement count changes with the
level or a page shows other than ``min(L, page size)`` rows. Then the plans (``EXPLAIN (ANALYZE,
BUFFERS)``) of the pages' queries at the largest level, among them the audit log's first page
before (the plain ``ORDER BY id DESC LIMIT``) and as read now (``core.keyset.page_rows``: the
script fails unless that one scans the organization's index), and the staff seat banner's counts.
"""

from __future__ import annotations

import argparse
import base64
import os
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit_setup import fresh_database  # noqa: E402

API_PAGE = 50
WEB_PAGE = 50
ADMIN_PAGE = 100
OTHER_ORGANIZATIONS_OF_OWNER = 4
CLOCK_DRIVEN = ("licensestate", "core_sharedversion")


def drf_cursor(position: str) -> str:
    """A cursor as ``core.api.pagination`` writes it (DRF's format: base64 of ``p=<position>``)."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def web_position(values: list[Any]) -> str:
    from core.web.paging import encode

    return encode("after", values)


def shape(level: int) -> dict[str, int]:
    """What a level holds: users and organizations of the instance, rows of the big organization."""
    large = level >= 10_000
    return {"rows": level, "users": max(level, 100_000) if large else level,
            "organizations": 10_000 if large else max(level, 10)}


def seed(level: int, owner_id: int, big_id: int, busy_id: int) -> None:
    """Fill the current database to ``level`` (the owner, the big and the busy organization exist)."""
    from django.db import connection

    s = shape(level)
    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        # users 1..users-1 (the owner is the other one); the first rows-1 are the big organization's members
        c.execute("INSERT INTO core_user (password, is_superuser, email, name, is_active, is_staff, is_service, "
                  "date_joined) SELECT '!', false, 'user' || lpad(n::text, 7, '0') || '@scale.test', 'User ' || n, "
                  "true, false, false, now() FROM generate_series(1, %s) n", [s["users"] - 1])
        # the other organizations (the big and the busy one exist), each with one project
        c.execute("INSERT INTO core_organization (name, slug, created_at) SELECT 'Organization ' || n, "
                  "'org-' || lpad(n::text, 6, '0'), now() FROM generate_series(1, %s) n", [s["organizations"] - 2])
        c.execute("INSERT INTO core_project (organization_id, name, slug, description, created_at) "
                  "SELECT id, 'Project', 'project', '', now() FROM core_organization WHERE id NOT IN (%s, %s)",
                  [big_id, busy_id])
        # every seeded user in one of the other organizations
        c.execute("SELECT min(id), max(id), count(*) FROM core_organization WHERE id NOT IN (%s, %s)",
                  [big_id, busy_id])
        first, last, others = c.fetchone()
        assert last - first + 1 == others, "the other organizations' ids are not contiguous"
        c.execute("INSERT INTO core_membership (organization_id, user_id, role, created_at) "
                  "SELECT %s + u.id %% %s, u.id, 'member', now() FROM core_user u WHERE u.id <> %s",
                  [first, others, owner_id])
        # the owner in four other organizations
        c.execute("INSERT INTO core_membership (organization_id, user_id, role, created_at) SELECT id, %s, 'owner', "
                  "now() FROM core_organization WHERE id NOT IN (%s, %s) ORDER BY id LIMIT %s",
                  [owner_id, big_id, busy_id, OTHER_ORGANIZATIONS_OF_OWNER])
        # the big organization: rows-1 members besides the owner, rows projects, invitations, audit records
        c.execute("INSERT INTO core_membership (organization_id, user_id, role, created_at) SELECT %s, id, "
                  "'member', now() FROM core_user WHERE id <> %s ORDER BY id LIMIT %s",
                  [big_id, owner_id, s["rows"] - 1])
        c.execute("INSERT INTO core_project (organization_id, name, slug, description, created_at) "
                  "SELECT %s, 'Project ' || n, 'project-' || lpad(n::text, 8, '0'), '', now() "
                  "FROM generate_series(1, %s) n", [big_id, s["rows"]])
        c.execute("INSERT INTO core_invitation (organization_id, email, role, token_hash, invited_by_id, created_at, "
                  "expires_at) SELECT %s, 'guest' || n || '@scale.test', 'member', md5('inv' || n) || md5('i' || n), "
                  "%s, now() - (n || ' seconds')::interval, now() + interval '7 days' FROM generate_series(1, %s) n",
                  [big_id, owner_id, s["rows"]])
        c.execute("INSERT INTO core_apitoken (user_id, name, prefix, token_hash, created_at) "
                  "SELECT %s, 'scale ' || n, 'anl_x', md5('scale' || n) || md5('token' || n), "
                  "now() - (n || ' seconds')::interval FROM generate_series(1, %s) n", [owner_id, s["rows"]])
        audit = ("INSERT INTO anneal_audit_auditrecord (event_id, organization_id, occurred_at, type, actor_kind, "
                 "actor_id, actor_display, target_type, target_id, target_display, details, ip, user_agent, "
                 "request_id) SELECT gen_random_uuid(), %s, now(), 'project.updated', 'user', '1', "
                 "'owner@scale.test', 'project', (n %% 1000)::text, 'p', '{}', '', '', '' "
                 "FROM generate_series(1, %s) n")
        c.execute(audit, [big_id, s["rows"]])
        c.execute(audit, [busy_id, max(1, s["rows"] // 50)])  # newer rows of another organization


def plugin_lists(big: Any, busy: Any) -> dict[str, int]:
    """A webhook endpoint and a prompt of the big organization (its first project) and of the busy one."""
    from anneal_prompts.models import Prompt
    from anneal_webhooks.models import Endpoint
    from core.models import Project

    busy_project = Project.objects.create(organization=busy, name="Busy", slug="busy")
    lists = {}
    for name, organization, project in (("", big, big.projects.get(slug="project-00000001")), ("busy_", busy, busy_project)):
        lists[f"{name}endpoint"] = Endpoint.objects.create(organization=organization, url="https://example.com/hook",
                                                           event_types=["project.updated"]).pk
        lists[f"{name}prompt"] = Prompt.objects.create(project=project, name="Greeting", slug="greeting").pk
    return lists


def seed_plugin_lists(level: int, lists: dict[str, int]) -> None:
    """``level`` webhook deliveries and prompt versions of the big organization, newer ones of the busy one."""
    from django.db import connection

    s = shape(level)
    with connection.cursor() as c:
        deliveries = ("INSERT INTO anneal_webhooks_delivery (id, endpoint_id, event_id, event_type, body, status, "
                      "attempts, next_attempt_at, last_response_code, last_error, created_at, delivered_at) "
                      "SELECT gen_random_uuid(), %s, gen_random_uuid(), 'project.updated', '{}', 'succeeded', 1, "
                      "now(), 200, '', now() + (%s * n || ' milliseconds')::interval, now() FROM generate_series(1, %s) n")
        c.execute(deliveries, [lists["endpoint"], -1000, s["rows"]])  # a second apart, back from now
        c.execute(deliveries, [lists["busy_endpoint"], 1, max(1, s["rows"] // 50)])  # newer, of another organization
        versions = ("INSERT INTO anneal_prompts_promptversion (prompt_id, number, body, note, restored_from, "
                    "created_by_id, created_at) SELECT %s, n, 'Text ' || n, '', NULL, NULL, now() "
                    "FROM generate_series(1, %s) n")
        c.execute(versions, [lists["prompt"], s["rows"]])
        c.execute(versions, [lists["busy_prompt"], max(1, s["rows"] // 50)])  # newer, of another organization
        c.execute("UPDATE anneal_prompts_prompt p SET current_version_id = (SELECT id FROM "
                  "anneal_prompts_promptversion v WHERE v.prompt_id = p.id ORDER BY number DESC LIMIT 1)")
    with connection.cursor() as c:  # the steady state autovacuum keeps: statistics and the visibility map
        c.execute("VACUUM ANALYZE")


def counted(owner_id: int, big_id: int, lists: dict[str, int]) -> dict[str, int]:
    from django.db import connection

    queries = {
        "users": "SELECT count(*) FROM core_user",
        "organizations": "SELECT count(*) FROM core_organization",
        "members": f"SELECT count(*) FROM core_membership WHERE organization_id = {big_id}",
        "projects": f"SELECT count(*) FROM core_project WHERE organization_id = {big_id}",
        "invitations": f"SELECT count(*) FROM core_invitation WHERE organization_id = {big_id}",
        "tokens": f"SELECT count(*) FROM core_apitoken WHERE user_id = {owner_id}",
        "audit records": f"SELECT count(*) FROM anneal_audit_auditrecord WHERE organization_id = {big_id}",
        "owner's organizations": f"SELECT count(*) FROM core_membership WHERE user_id = {owner_id}",
        "webhook deliveries": f"SELECT count(*) FROM anneal_webhooks_delivery WHERE endpoint_id = {lists['endpoint']}",
        "prompt versions": f"SELECT count(*) FROM anneal_prompts_promptversion WHERE prompt_id = {lists['prompt']}",
    }
    with connection.cursor() as c:
        result = {}
        for name, sql in queries.items():
            c.execute(sql)
            result[name] = c.fetchone()[0]
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="10,100,10000")
    parser.add_argument("--baseline", type=int, default=100,
                        help="the small instance the ratios are to (100: every page is full, as on the large ones)")
    parser.add_argument("--million", action="store_true", help="add the 1,000,000 level (minutes of seeding)")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--per-round", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="keep the level databases (default: dropped at the end)")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")] + ([1_000_000] if args.million else [])
    base = os.environ.get("ANNEAL_BENCH_DB", "anneal_scale_bench")
    os.environ["ANNEAL_BENCH_DB"] = base
    server = os.environ.get("ANNEAL_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    fresh_database(only_enterprise=False)

    import psycopg
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from anneal_enterprise.audit.query import encode_cursor
    from anneal_enterprise.licensing import services as licenses, status
    from anneal_enterprise.licensing.testing import TestSigner
    from core.models import Membership, Organization, User
    from core.services import tokens

    signer = TestSigner()
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = signer.extra_public_keys()
    connection.close()

    def use(name: str) -> None:
        connection.close()
        connection.settings_dict["NAME"] = name

    names = {level: f"{base}_{level}" for level in levels}
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{base}"')

    instances: dict[int, dict[str, Any]] = {}
    for level in levels:
        use(names[level])
        started = time.perf_counter()
        licenses.install(signer.issue(seats=10_000_000), source="cli")
        assert status.grants("audit_log")
        owner = User.objects.create_user("owner@scale.test", "scale password", is_staff=True, is_superuser=True)
        big = Organization.objects.create(name="Big", slug="big")
        busy = Organization.objects.create(name="Busy", slug="busy")
        Membership.objects.create(organization=big, user=owner, role="owner")
        seed(level, owner.pk, big.pk, busy.pk)
        lists = plugin_lists(big, busy)
        seed_plugin_lists(level, lists)
        have = counted(owner.pk, big.pk, lists)
        s = shape(level)
        expected = {"users": s["users"], "organizations": s["organizations"], "members": level, "projects": level,
                    "invitations": level, "tokens": level, "audit records": level,
                    "owner's organizations": 1 + OTHER_ORGANIZATIONS_OF_OWNER, "webhook deliveries": level,
                    "prompt versions": level}
        assert have == expected, (level, have, expected)
        _, token = tokens.create_token(owner, "scale")
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        web = Client()
        web.force_login(owner)
        instances[level] = {"api": api, "web": web, "anonymous": Client(), "owner": owner, "big": big,
                            "lists": lists}
        print(f"level {level:>9,}: {have['users']:,} users, {have['organizations']:,} organizations, "
              f"{level:,} rows of each list; seeded in {time.perf_counter() - started:.1f} s", flush=True)

    def last_positions(instance: dict[str, Any]) -> dict[str, str]:
        """The key of the row ``page`` rows before the end of each list: its "last page"."""
        big, owner = instance["big"], instance["owner"]
        with connection.cursor() as c:
            def one(sql: str, params: list[Any]) -> Any:
                c.execute(sql, params)
                return c.fetchone()[0]
            offset_api = min(API_PAGE, len_of(big.pk) - 1)
            return {
                "project": one("SELECT slug FROM core_project WHERE organization_id = %s ORDER BY slug DESC "
                               "OFFSET %s LIMIT 1", [big.pk, offset_api]),
                "member": str(one("SELECT user_id FROM core_membership WHERE organization_id = %s ORDER BY user_id "
                                  "DESC OFFSET %s LIMIT 1", [big.pk, offset_api])),
                "token": one("SELECT created_at FROM core_apitoken WHERE user_id = %s ORDER BY created_at "
                             "OFFSET %s LIMIT 1", [owner.pk, offset_api]).isoformat(),
                "record": one("SELECT id FROM anneal_audit_auditrecord WHERE organization_id = %s ORDER BY id "
                              "OFFSET %s LIMIT 1", [big.pk, offset_api]),
                "delivery": one("SELECT created_at FROM anneal_webhooks_delivery WHERE endpoint_id = %s "
                                "ORDER BY created_at OFFSET %s LIMIT 1", [instance["lists"]["endpoint"],
                                                                          offset_api]).isoformat(),
                "version": str(one("SELECT number FROM anneal_prompts_promptversion WHERE prompt_id = %s "
                                   "ORDER BY number OFFSET %s LIMIT 1", [instance["lists"]["prompt"], offset_api])),
                "membership": one("SELECT id FROM core_membership WHERE organization_id = %s ORDER BY id DESC "
                                  "OFFSET %s LIMIT 1", [big.pk, min(WEB_PAGE, len_of(big.pk) - 1)]),
            }

    def len_of(big_id: int) -> int:
        with connection.cursor() as c:
            c.execute("SELECT count(*) FROM core_project WHERE organization_id = %s", [big_id])
            return c.fetchone()[0]

    def requests(level: int) -> dict[str, tuple[str, str, int]]:
        """name: (client, url, rows the page must show)."""
        use(names[level])
        last = last_positions(instances[level])
        rows, api_rows, web_rows = level, min(level, API_PAGE), min(level, WEB_PAGE)
        tail_api = min(API_PAGE, rows - 1) if rows > 1 else 1
        tail_web = min(WEB_PAGE, rows - 1) if rows > 1 else 1
        audit = "/api/v1/plugins/enterprise/audit/organizations/big/records"
        deliveries = f"/api/v1/plugins/webhooks/organizations/big/endpoints/{instances[level]['lists']['endpoint']}/deliveries/"
        versions = "/api/v1/plugins/prompts/organizations/big/projects/project-00000001/prompts/greeting/versions/"
        return {
            "sign-in page (web)": ("anonymous", "/sign-in/", -1),
            "your organizations (web)": ("web", "/", 1 + OTHER_ORGANIZATIONS_OF_OWNER),
            "your organizations (API)": ("api", "/api/v1/organizations/", 1 + OTHER_ORGANIZATIONS_OF_OWNER),
            "staff: organizations (admin)": ("web", "/admin/core/organization/",
                                             min(shape(level)["organizations"], ADMIN_PAGE)),
            "staff: users (admin)": ("web", "/admin/core/user/", min(shape(level)["users"], ADMIN_PAGE)),
            "members, first page (web)": ("web", "/o/big/members/", web_rows),
            "members, last page (web)": ("web", f"/o/big/members/?page={web_position([last['membership']])}",
                                         tail_web),
            "members, email search (web)": ("web", "/o/big/members/?q=user0000001", 1 if level > 1 else 0),
            "members, first page (API)": ("api", "/api/v1/organizations/big/members/", api_rows),
            "members, last page (API)": ("api", f"/api/v1/organizations/big/members/?cursor="
                                                f"{drf_cursor(last['member'])}", tail_api),
            "projects, first page (web)": ("web", "/o/big/", web_rows),
            "projects, first page (API)": ("api", "/api/v1/organizations/big/projects/", api_rows),
            "projects, last page (API)": ("api", f"/api/v1/organizations/big/projects/?cursor="
                                                 f"{drf_cursor(last['project'])}", tail_api),
            "tokens, first page (web)": ("web", "/tokens/", min(level + 1, WEB_PAGE)),
            "tokens, first page (API)": ("api", "/api/v1/tokens/", min(level + 1, API_PAGE)),
            "tokens, last page (API)": ("api", f"/api/v1/tokens/?cursor={drf_cursor(last['token'])}", tail_api),
            "audit records, first page (API)": ("api", audit, api_rows),
            "audit records, last page (API)": ("api", f"{audit}?cursor={encode_cursor(last['record'])}", tail_api),
            "audit records, first page (web)": ("web", "/plugins/enterprise/audit/organizations/big/", web_rows),
            "webhook deliveries, first page (API)": ("api", deliveries, api_rows),
            "webhook deliveries, last page (API)": ("api", f"{deliveries}?cursor={drf_cursor(last['delivery'])}",
                                                    tail_api),
            "prompt versions, first page (API)": ("api", versions, api_rows),
            "prompt versions, last page (API)": ("api", f"{versions}?cursor={drf_cursor(last['version'])}", tail_api),
        }

    def rows_shown(url: str, response: Any) -> int:
        if response["Content-Type"].startswith("application/json"):
            body = response.json()
            return len(body.get("results", body.get("records", body)))
        html = response.content.decode()
        if url.startswith("/admin/"):
            return len(re.findall(r'<tr>\s*<td class="action-checkbox">', html))
        if "/members/" in url:
            return len(re.findall(r'<tr id="member-', html.split('<table id="members">', 1)[-1].split("</table>")[0]))
        if url == "/":
            return html.count('<td><a href="/o/')
        if url == "/o/big/":
            return html.count('<td><a href="/o/big/p/')
        if url == "/tokens/":
            return html.count('<tr id="token-')
        if "/audit/" in url:
            return html.count("<tr data-record=")
        return -1

    plan = {level: requests(level) for level in levels}
    statements: dict[int, dict[str, int]] = {level: {} for level in levels}
    for level in levels:
        use(names[level])
        clients = instances[level]
        for name, (client, url, rows) in plan[level].items():
            clients[client].get(url)  # warm: caches, the once-a-second polls
            with CaptureQueriesContext(connection) as queries:
                response = clients[client].get(url)
            assert response.status_code == 200, (level, url, response.status_code, response.content[:300])
            shown = rows_shown(url, response)
            assert shown == rows, f"level {level}, {name}: the page shows {shown} rows, expected {rows}"
            statements[level][name] = len([q for q in queries.captured_queries
                                           if not any(t in q["sql"] for t in CLOCK_DRIVEN)])

    samples: dict[int, dict[str, list[float]]] = {level: {name: [] for name in plan[level]} for level in levels}
    for _ in range(args.rounds):
        for level in levels:
            use(names[level])
            clients = instances[level]
            clients["web"].get("/")  # reconnect to this level's database, untimed
            for name, (client, url, _rows) in plan[level].items():
                for _ in range(args.per_round):
                    started = time.perf_counter()
                    clients[client].get(url)
                    samples[level][name].append(time.perf_counter() - started)

    largest = levels[-1]
    use(names[largest])
    print_plans(instances[largest])

    smallest = args.baseline if args.baseline in levels else levels[0]
    print(f"\n{args.rounds} interleaved rounds x {args.per_round} requests per level: median ms [fastest..slowest], "
          f"ratio of medians to level {smallest:,}, SQL statements, rows on the page")
    print(f"{'':38}" + "".join(f"{level:>36,}" for level in levels))
    failures = []
    for name in plan[smallest]:
        cells = []
        base_median = statistics.median(samples[smallest][name])
        for level in levels:
            values = samples[level][name]
            median = statistics.median(values)
            rows = plan[level][name][2]
            cells.append(f"{median * 1e3:6.1f} [{min(values) * 1e3:5.1f}..{max(values) * 1e3:6.1f}] "
                         f"{median / base_median:4.2f}x {statements[level][name]:2d}q {rows if rows >= 0 else '-':>3}")
        print(f"{name:38}" + "".join(f"{cell:>36}" for cell in cells))
        if len({statements[level][name] for level in levels}) != 1:
            failures.append(f"{name}: SQL statements per request change with the level: "
                            f"{[statements[level][name] for level in levels]}")
    if not args.keep:
        connection.close()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert not failures, "\n".join(failures)
    return 0


AUDIT_BEFORE = "audit records, first page, as read before (ORDER BY id DESC LIMIT: another organization wrote newer)"
AUDIT_NOW = "audit records, first page (API and web), as read now (core.keyset.page_rows)"


def explain(sql: str, params: Any) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def print_plans(instance: dict[str, Any]) -> None:
    """EXPLAIN ANALYZE of the queries behind the pages, at the largest level."""
    from django.db import connection

    from django.db.models import Exists, OuterRef

    from anneal_enterprise.audit.models import AuditRecord
    from anneal_enterprise.audit.query import Filters, filtered
    from anneal_prompts.models import PromptVersion
    from anneal_webhooks.models import Delivery
    from core.keyset import page_rows
    from core.models import ApiToken, Invitation, Membership, Organization, Project, User
    from core.web.paging import page_query
    from core.web.views.members import INVITATION_ORDER, MEMBER_ORDER

    big, owner, lists = instance["big"], instance["owner"], instance["lists"]
    members = Membership.objects.filter(organization=big).select_related("user")
    middle_record = AuditRecord.objects.filter(organization_id=big.pk).order_by("-id").values_list(
        "id", flat=True)[max(0, AuditRecord.objects.filter(organization_id=big.pk).count() // 2 - 1)]
    late = members.order_by("-id").values_list("id", flat=True)[WEB_PAGE]
    small = Organization.objects.exclude(pk=big.pk).exclude(slug="busy").order_by("pk").first()
    def paged(queryset: Any, key: tuple[str, ...], values: list[Any] | None = None, size: int = WEB_PAGE) -> Any:
        return page_query(queryset, key, values, True, size)

    cases = {
        "members page, first page (big organization)": paged(members, MEMBER_ORDER),
        "members page, last page (big organization)": paged(members, MEMBER_ORDER, [late]),
        "members page, first page (an organization of 10)":
            paged(Membership.objects.filter(organization=small).select_related("user"), MEMBER_ORDER),
        "members page, email search 'user0000001'":
            paged(members.filter(user__email__startswith="user0000001"), MEMBER_ORDER),
        "pending invitations, first page":
            paged(Invitation.objects.filter(organization=big, accepted_at=None, revoked_at=None), INVITATION_ORDER),
        "your organizations": paged(Membership.objects.filter(user=owner).select_related("organization"),
                                    ("organization__name", "organization_id")),
        "tokens page, first page": paged(ApiToken.objects.filter(user=owner), ("-created_at", "-id")),
        "staff: organizations (admin), first page": Organization.objects.order_by("slug", "-pk")[:ADMIN_PAGE],
        AUDIT_BEFORE: AuditRecord.objects.filter(organization_id=big.pk).order_by("-id")[:API_PAGE + 1],
        AUDIT_NOW: page_rows(filtered(big.pk, Filters()), ("-id",), API_PAGE + 1),
        "audit records, a deep page (API and web)":
            page_rows(filtered(big.pk, Filters()).filter(id__lt=middle_record), ("-id",), API_PAGE + 1),
        "members (API), first page": page_rows(members, ("user_id",), API_PAGE + 1),
        "projects (API), first page": page_rows(Project.objects.filter(organization=big), ("slug",), API_PAGE + 1),
        "tokens (API), first page": page_rows(ApiToken.objects.filter(user=owner), ("-created_at",), API_PAGE + 1),
        "webhook deliveries (API), first page":
            page_rows(Delivery.objects.filter(endpoint_id=lists["endpoint"]), ("-created_at",), API_PAGE + 1),
        "prompt versions (API), first page":
            page_rows(PromptVersion.objects.filter(prompt_id=lists["prompt"]), ("-number",), API_PAGE + 1),
    }
    plans = {}
    for name, queryset in cases.items():
        sql, params = queryset.query.sql_with_params()
        plans[name] = explain(sql, params)
        print(f"-- {name}\n{plans[name]}\n", flush=True)
    assert "Index Only Scan using audit_org_id" in plans[AUDIT_NOW] and \
        "Backward using anneal_audit_auditrecord_pkey" not in plans[AUDIT_NOW], "the audit page walks the primary key"
    assert "Index Cond: (organization_id = " in plans["projects (API), first page"], \
        "the project page walks an index past other organizations' projects"
    holders = User.objects.humans().filter(Exists(Membership.objects.filter(user_id=OuterRef("pk")))).order_by() \
        .values("pk")
    for name, queryset in {
        "seat holders, every one (the staff banner before; enforcement, which stays exact)": holders,
        "seat holders up to 1,001 (the banner under a 1,000-seat license)": holders[:1001],
    }.items():
        sql, params = queryset.query.sql_with_params()
        print(f"-- {name}\n{explain(f'SELECT COUNT(*) FROM ({sql}) counted', params)}\n", flush=True)
    print("-- the highest user id (the banner when it is within the seats)\n"
          + explain("SELECT MAX(id) FROM core_user", []) + "\n", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) SELECT COUNT(*) FROM (SELECT 1 FROM core_membership "
                       "WHERE organization_id = %s ORDER BY organization_id, user_id LIMIT 1001) capped", [big.pk])
        print("-- member count of the big organization, capped at 1,000 (one of the organization list's counts)\n"
              + "\n".join(row[0] for row in cursor.fetchall()) + "\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
