"""Query-count baselines: the main pages cost the same number of queries with 1 row or 20.

Two checks per page. The page for a crowded organization may not run more queries than the
same page for an organization with one row of everything (both counted in the same test, so
installed plugins' own queries do not matter).
And the queries on the core's tables stay within a fixed baseline, so a view that starts
querying per row, or a new lookup, is noticed.
"""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Membership, Project
from core.services import invitations

pytestmark = pytest.mark.django_db

# Queries on the core's own tables (session, user, organization, role, rows), measured on the
# embedded default. Raise only with a reason.
#   organizations: session, user, the page of memberships, and the page's project and member
#                  counts (one statement, each count capped: core.web.counting).
CORE_BASELINE = {"organization": 6, "members": 6, "project": 5, "organizations": 4}
CORE_TABLES = ('"core_', '"django_session"')
# Time-driven, not page-driven: the enterprise license version check and the shared cache versions
# (core.shared_cache) are read at most once a second in
# each process, in whichever request that second falls, so it is left out of the comparisons.
CLOCK_DRIVEN_TABLES = ('"anneal_licensing_', '"core_sharedversion"')


def page_queries(captured: CaptureQueriesContext) -> list[dict[str, Any]]:
    return [q for q in captured.captured_queries if not any(t in q["sql"] for t in CLOCK_DRIVEN_TABLES)]


def fill(organization: Any, owner: Any, make_user: Any, rows: int) -> Any:
    for number in range(rows):
        Project.objects.create(organization=organization, name=f"Project {number}", slug=f"p{number}")
        Membership.objects.create(organization=organization, user=make_user(password=None), role="member")
        invitations.invite(organization, f"guest{number}-{organization.slug}@example.com", "viewer", owner)
    return organization


def count_queries(client: Any, url: str) -> tuple[int, int]:
    """(all queries, queries on core tables) of a warm GET of ``url``."""
    assert client.get(url).status_code == 200  # warm per-process caches first
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    queries = page_queries(captured)
    core = [q for q in queries if any(table in q["sql"] for table in CORE_TABLES)]
    return len(queries), len(core)


@pytest.fixture
def pages(owner, make_organization, make_user, web_client_for):
    """A client for ``owner`` of a sparse (1 row) and a crowded (20 rows) organization."""
    sparse = fill(make_organization(name="Sparse", owner=owner), owner, make_user, 1)
    crowded = fill(make_organization(name="Crowded", owner=owner), owner, make_user, 20)
    return web_client_for(owner), sparse, crowded


@pytest.mark.parametrize("page, path", [
    ("organization", "/o/{slug}/"),
    ("members", "/o/{slug}/members/"),
    ("project", "/o/{slug}/p/p0/"),
])
def test_an_organization_page_does_not_query_per_row(pages, page, path):
    client, sparse, crowded = pages
    sparse_total, sparse_core = count_queries(client, path.format(slug=sparse.slug))
    assert sparse_core <= CORE_BASELINE[page]
    crowded_total, _ = count_queries(client, path.format(slug=crowded.slug))
    assert crowded_total <= sparse_total
    response = client.get(path.format(slug=crowded.slug))
    if page == "members":
        assert response.content.count(b'<tr id="member-') == 21
        assert response.content.count(b'<tr id="invitation-') == 20
    if page == "organization":
        assert response.content.count(b"/p/p") == 20


def test_the_organization_list_does_not_query_per_organization(web_client_for, owner, make_organization):
    client = web_client_for(owner)
    make_organization(owner=owner)
    total, core = count_queries(client, "/")
    assert core <= CORE_BASELINE["organizations"]
    for _ in range(20):
        make_organization(owner=owner)
    assert count_queries(client, "/")[0] <= total


# Queries of token-authenticated API requests on the core's tables, warm (the token's last use is
# recorded at most once a minute, so the second request does not write it). Raise only with a reason.
#   projects: the token and its user, the organization with the member's role, the page's rows,
#             and the page-number pagination's COUNT(*).
#   me:       the token and its user.
API_BASELINE = {"projects": 4, "me": 1}


def count_api_queries(client: Any, url: str) -> tuple[int, int]:
    """(all queries, queries on core tables) of a warm token-authenticated GET of ``url``."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    queries = page_queries(captured)
    return len(queries), len([q for q in queries if '"core_' in q["sql"]])


def test_the_api_project_list_costs_a_fixed_number_of_queries_whatever_the_rows(
        api_client_for, owner, make_organization):
    client = api_client_for(owner)
    sparse = make_organization(name="Sparse API", owner=owner)
    crowded = make_organization(name="Crowded API", owner=owner)
    Project.objects.create(organization=sparse, name="Only", slug="only")
    for number in range(30):
        Project.objects.create(organization=crowded, name=f"Project {number}", slug=f"p{number}")
    sparse_total, sparse_core = count_api_queries(client, f"/api/v1/organizations/{sparse.slug}/projects/")
    assert sparse_core <= API_BASELINE["projects"]
    crowded_total, crowded_core = count_api_queries(client, f"/api/v1/organizations/{crowded.slug}/projects/")
    assert (crowded_total, crowded_core) == (sparse_total, sparse_core)


def test_a_token_authenticated_get_costs_one_query_on_the_core_tables(api_client_for, owner):
    _, core = count_api_queries(api_client_for(owner), "/api/v1/me/")
    assert core == API_BASELINE["me"]
