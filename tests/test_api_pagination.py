"""API lists are paged by a keyset cursor: complete, ordered, stable under writes, no COUNT,
and a cursor the API did not write is a 400, never a 500."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import ApiToken
from core.services import invitations, projects, tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(make_user):
    return make_user()


@pytest.fixture
def organization(make_organization, owner):
    return make_organization(owner=owner)


@pytest.fixture
def api(api_client_for, owner):
    return api_client_for(owner)


def cursor(**tokens: str) -> str:
    """A cursor in the API's format (base64 of a query string), with the tokens the attacker chose."""
    return base64.b64encode(urlencode(tokens).encode()).decode()


def walk(api, url: str) -> list[dict]:
    rows, pages = [], 0
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body["next"]
        pages += 1
        assert pages < 100
    return rows


def test_following_next_lists_every_project_once_in_slug_order(api, organization):
    for number in range(11):
        projects.create_project(organization, f"Project {number:02d}")

    rows = walk(api, f"/api/v1/organizations/{organization.slug}/projects/?page_size=3")

    slugs = [row["slug"] for row in rows]
    assert slugs == sorted(slugs) and len(slugs) == len(set(slugs)) == 11


def test_previous_leads_back_to_the_same_page(api, organization):
    for number in range(7):
        projects.create_project(organization, f"Project {number}")
    first = api.get(f"/api/v1/organizations/{organization.slug}/projects/?page_size=3").json()
    second = api.get(first["next"]).json()

    back = api.get(second["previous"]).json()

    assert back["results"] == first["results"]


def test_a_project_created_while_paging_neither_repeats_nor_skips_a_row(api, organization):
    for number in range(6):
        projects.create_project(organization, f"Project {number}")
    first = api.get(f"/api/v1/organizations/{organization.slug}/projects/?page_size=3").json()
    projects.create_project(organization, "Aardvark")  # sorts before every row already shown

    rest = walk(api, first["next"])

    seen = [row["slug"] for row in first["results"] + rest]
    assert seen == [f"project-{number}" for number in range(6)]


def test_tokens_created_in_the_same_instant_are_each_listed_once(api, owner):
    moment = timezone.now() - timedelta(days=1)
    ApiToken.objects.bulk_create(
        ApiToken(user=owner, name=f"same-{n}", prefix="anl_t", token_hash=f"{n:064d}", created_at=moment) for n in range(7))

    rows = walk(api, "/api/v1/tokens/?page_size=2")

    assert sorted(row["name"] for row in rows if row["name"].startswith("same-")) == [f"same-{n}" for n in range(7)]


def test_members_are_paged_by_user_id(api, organization, make_member):
    for _ in range(4):
        make_member(organization)

    rows = walk(api, f"/api/v1/organizations/{organization.slug}/members/?page_size=2")

    ids = [row["user"]["id"] if isinstance(row["user"], dict) else row["user"] for row in rows]
    assert len(rows) == 5 and ids == sorted(ids)


def test_a_page_costs_no_count_and_no_offset(api, organization):
    for number in range(5):
        projects.create_project(organization, f"Project {number}")
    first = api.get(f"/api/v1/organizations/{organization.slug}/projects/?page_size=2").json()

    with CaptureQueriesContext(connection) as queries:
        assert api.get(first["next"]).status_code == 200

    statements = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "COUNT(" not in statements and "OFFSET" not in statements


HOSTILE = {
    "not base64": "!!!not-base64!!!",
    "not ascii": "é",
    "an integer key that is text": cursor(p="abc"),
    "an integer key past 64 bits": cursor(p=str(2**70)),
    "a NUL byte": cursor(p="a\x00b"),
    "a negative offset": cursor(o="-1", p="5"),
    "a reverse flag that is no number": cursor(r="yes", p="5"),
    "a very long position": cursor(p="1" * 5000),
}


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_member_cursor_is_a_400_naming_the_cursor(api, organization, value):
    response = api.get(f"/api/v1/organizations/{organization.slug}/members/", {"cursor": value})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("position", ["yesterday", "2026-01-01T00:00:00", "9999999-01-01T00:00:00+00:00"])
def test_a_token_cursor_that_is_no_time_with_an_offset_is_a_400(api, position):
    assert api.get("/api/v1/tokens/", {"cursor": cursor(p=position)}).status_code == 400


def test_a_project_cursor_past_every_slug_is_an_empty_page_not_an_error(api, organization):
    projects.create_project(organization, "Website")

    body = api.get(f"/api/v1/organizations/{organization.slug}/projects/", {"cursor": cursor(p="zzzz")}).json()

    assert body["results"] == [] and body["next"] is None


def test_the_retired_page_parameter_is_a_400_so_old_clients_stop(api, organization):
    response = api.get(f"/api/v1/organizations/{organization.slug}/projects/", {"page": "2"})

    assert response.status_code == 400
    assert "follow the `next` link" in response.json()["detail"]


def _reads_page_keys_first(sql: str, table: str) -> bool:
    """``SELECT … FROM table WHERE … pk IN (SELECT U0.pk FROM table U0 WHERE … ORDER BY … LIMIT n) ORDER BY …``."""
    return bool(re.search(rf'FROM "{table}" .*IN \(SELECT U0\."id" AS "pk" FROM "{table}" U0 .*ORDER BY .* LIMIT \d+\)',
                          sql))


@pytest.mark.parametrize(("path", "table"), [
    ("/api/v1/organizations/{slug}/projects/", "core_project"),
    ("/api/v1/organizations/{slug}/members/", "core_membership"),
    ("/api/v1/organizations/{slug}/invitations/", "core_invitation"),
    ("/api/v1/tokens/", "core_apitoken"),
])
def test_every_core_list_reads_its_page_by_primary_keys_first_as_the_web_lists_do(
        api, organization, make_member, owner, path, table):
    for number in range(4):
        projects.create_project(organization, f"Project {number}")
        make_member(organization)
        invitations.invite(organization, f"guest{number}@example.com", "member", owner)
        tokens.create_token(owner, f"token {number}")
    first = api.get(path.format(slug=organization.slug) + "?page_size=2").json()

    for url in [path.format(slug=organization.slug) + "?page_size=2", first["next"]]:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url).status_code == 200
        reads = [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"].split(" WHERE ")[0]
                 and q["sql"].startswith("SELECT")]
        assert any(_reads_page_keys_first(sql, table) for sql in reads), reads


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the plan is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # VACUUM: the visibility map autovacuum keeps, outside a transaction
def test_on_postgresql_a_big_organizations_project_page_reads_ids_index_only_past_other_organizations(organization):
    from core.keyset import page_rows
    from core.models import Organization, Project

    others = Organization.objects.bulk_create(Organization(name=f"Other {n}", slug=f"other-{n}") for n in range(3000))
    Project.objects.bulk_create(Project(organization=other, name="Project", slug="project") for other in others)
    Project.objects.bulk_create(Project(organization=organization, name=f"P {n}", slug=f"project-{n:06d}")
                                for n in range(30000))  # every other organization's "project" sorts first
    with connection.cursor() as db:
        db.execute("VACUUM ANALYZE core_project")
        sql, params = page_rows(Project.objects.filter(organization=organization), ("slug",), 51).query.sql_with_params()
        db.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in db.fetchall())

    assert "using unique_project_slug" in plan and "Index Cond: (organization_id = " in plan, plan
    assert "Rows Removed by Filter" not in plan, plan
