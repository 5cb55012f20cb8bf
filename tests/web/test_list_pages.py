"""The web lists that grow without bound page by key: the same queries at 3 rows as at 300, pages
that are disjoint and complete, a next link that still means the same place after inserts, and
no count of a whole table."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import ApiToken, Invitation, Membership, Organization, Project, User
from core.web.paging import INVALID_POSITION, PAGE_SIZE

pytestmark = pytest.mark.django_db

CLOCK_DRIVEN_TABLES = ('"anneal_licensing_', '"core_sharedversion"')
ROW = {"members": b'<tr id="member-', "tokens": b'<tr id="token-'}


def add_members(organization: Organization, count: int, prefix: str = "member") -> list[str]:
    users = User.objects.bulk_create(
        [User(email=f"{prefix}{n:04d}-{organization.slug}@example.com", password="!") for n in range(count)])
    Membership.objects.bulk_create([Membership(organization=organization, user=u, role="member") for u in users])
    return [u.email for u in users]


def fill(owner: User, organization: Organization, rows: int) -> None:
    """``rows`` of every list the owner's pages show."""
    add_members(organization, rows)
    Project.objects.bulk_create([Project(organization=organization, name=f"P {n}", slug=f"p{n}") for n in range(rows)])
    now = timezone.now()
    Invitation.objects.bulk_create([
        Invitation(organization=organization, email=f"guest{n}@example.com", token_hash=f"{organization.slug}-{n}",
                   invited_by=owner, expires_at=now + timedelta(days=7), created_at=now - timedelta(seconds=n))
        for n in range(rows)])
    ApiToken.objects.bulk_create([
        ApiToken(user=owner, name=f"t{n}", prefix="anl_x", token_hash=f"{organization.slug}-{n}",
                 created_at=now - timedelta(seconds=n)) for n in range(rows)])
    others = Organization.objects.bulk_create(
        [Organization(name=f"Other {organization.slug} {n}", slug=f"other-{organization.slug}-{n}") for n in range(rows)])
    Membership.objects.bulk_create([Membership(organization=o, user=owner, role="member") for o in others])


def queries_of(client: Any, url: str) -> list[str]:
    assert client.get(url).status_code == 200  # warm the per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries if not any(t in q["sql"] for t in CLOCK_DRIVEN_TABLES)]


def links(html: bytes, rel: str) -> list[str]:
    return [unescape(href) for href in re.findall(rf'<a rel="{rel}" href="([^"]+)"', html.decode())]


def member_emails(html: bytes) -> list[str]:
    table = html.decode().split('<table id="members">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr id=\"member-\d+\">\s*<td>([^<]+?)(?: <span|</td>)", table)


@pytest.fixture
def small_and_large(make_user, make_organization, web_client_for):
    """The same owner's pages at 3 rows (their own instance) and at 300 (another owner's)."""
    result = {}
    for size in (3, 300):
        owner = make_user(email=f"owner-{size}@example.com", is_staff=True, is_superuser=True)
        organization = make_organization(name=f"Org of {size}", owner=owner)
        fill(owner, organization, size)
        result[size] = (web_client_for(owner), organization)
    return result


@pytest.mark.parametrize("path", [
    "/o/{slug}/members/",
    "/o/{slug}/",
    "/",
    "/tokens/",
    "/o/{slug}/settings/mfa/",
    "/admin/core/user/",
    "/admin/core/organization/",
    "/admin/core/membership/?organization__id__exact={pk}",
])
def test_a_list_page_runs_the_same_queries_at_3_and_at_300_rows(small_and_large, path):
    counts = {}
    for size, (client, organization) in small_and_large.items():
        counts[size] = len(queries_of(client, path.format(slug=organization.slug, pk=organization.pk)))
    assert counts[3] == counts[300], counts


@pytest.mark.parametrize("path", ["/o/{slug}/members/", "/o/{slug}/", "/", "/tokens/", "/o/{slug}/settings/mfa/",
                                  "/admin/core/user/", "/admin/core/organization/"])
def test_a_list_page_counts_no_more_than_a_bounded_number_of_rows(small_and_large, path):
    client, organization = small_and_large[300]
    for sql in queries_of(client, path.format(slug=organization.slug)):
        if "COUNT(" in sql.upper():
            assert "LIMIT" in sql.upper(), sql


def test_a_large_organization_shows_one_page_of_members_and_links_to_the_next(small_and_large):
    client, organization = small_and_large[300]
    response = client.get(f"/o/{organization.slug}/members/")
    assert response.content.count(ROW["members"]) == PAGE_SIZE
    assert links(response.content, "next") and not links(response.content, "prev")
    assert b'<nav class="pager" aria-label="Member pages">' in response.content


def test_the_member_pages_are_disjoint_and_together_hold_every_member_in_the_order_they_joined(
        web_client_for, make_user, make_organization):
    owner = make_user(email="zzz-owner@example.com")
    organization = make_organization(owner=owner)
    expected = [owner.email, *add_members(organization, 2 * PAGE_SIZE + 7)]
    client, url, seen, pages = web_client_for(owner), f"/o/{organization.slug}/members/", [], 0
    while url:
        response = client.get(url)
        seen += member_emails(response.content)
        pages += 1
        following = links(response.content, "next")
        url = f"/o/{organization.slug}/members/{following[0]}" if following else None
    assert pages == 3
    assert seen == expected  # in order, none twice, none missing
    back = client.get(f"/o/{organization.slug}/members/{links(response.content, 'prev')[0]}")
    assert member_emails(back.content) == expected[PAGE_SIZE:2 * PAGE_SIZE]
    assert links(client.get(f"/o/{organization.slug}/members/{links(back.content, 'prev')[0]}").content, "prev") == []


def test_a_next_link_shows_the_same_rows_after_members_joined_and_left(web_client_for, make_user, make_organization):
    owner = make_user(email="mmm-owner@example.com")
    organization = make_organization(owner=owner)
    everyone = [owner.email, *add_members(organization, 2 * PAGE_SIZE, prefix="n")]
    client = web_client_for(owner)
    first = client.get(f"/o/{organization.slug}/members/")
    next_link = links(first.content, "next")[0]
    Membership.objects.filter(organization=organization, user__email__in=everyone[1:11]).delete()  # on page 1
    add_members(organization, 30, prefix="a")  # they join after everyone: the last page
    second = client.get(f"/o/{organization.slug}/members/{next_link}")
    assert member_emails(second.content) == everyone[PAGE_SIZE:2 * PAGE_SIZE]
    assert member_emails(client.get(f"/o/{organization.slug}/members/").content) == (
        [owner.email, *everyone[11:PAGE_SIZE + 10]])


def test_a_member_search_pages_through_the_emails_that_start_with_it(web_client_for, make_user, make_organization):
    owner = make_user()
    organization = make_organization(owner=owner)
    add_members(organization, 5, prefix="zed")
    add_members(organization, 5, prefix="amy")
    response = web_client_for(owner).get(f"/o/{organization.slug}/members/?q=ZED")
    emails = member_emails(response.content)
    assert len(emails) == 5 and all(e.startswith("zed") for e in emails)
    nothing = web_client_for(owner).get(f"/o/{organization.slug}/members/?q=nobody")
    assert "No member's email starts with “nobody”.".encode() in nothing.content


@pytest.mark.parametrize("position", ["garbage", "W10=", "WyJhZnRlciJd", "WyJzaWRld2F5cyIsImEiXQ==", "x" * 3000])
def test_a_page_link_that_was_tampered_with_shows_the_first_page_and_says_so(
        web_client_for, make_user, make_organization, position):
    owner = make_user()
    organization = make_organization(owner=owner)
    response = web_client_for(owner).get(f"/o/{organization.slug}/members/?page={position}")
    assert response.status_code == 200
    assert INVALID_POSITION.encode() in response.content.replace(b"&#x27;", b"'")
    assert member_emails(response.content) == [owner.email]


def test_the_pending_invitations_page_apart_from_the_members(small_and_large):
    client, organization = small_and_large[300]
    first = client.get(f"/o/{organization.slug}/members/")
    assert first.content.count(b'<tr id="invitation-') == PAGE_SIZE
    more = [link for link in links(first.content, "next") if "invitations=" in link][0]
    second = client.get(f"/o/{organization.slug}/members/{more}")
    assert member_emails(second.content) == member_emails(first.content)  # the member page stays
    assert set(re.findall(rb'<tr id="(invitation-\d+)"', second.content)).isdisjoint(
        re.findall(rb'<tr id="(invitation-\d+)"', first.content))


def test_the_organization_list_pages_and_caps_the_counts_it_shows(small_and_large, make_user):
    client, organization = small_and_large[300]
    response = client.get("/")
    assert response.content.count(b"/o/") >= PAGE_SIZE
    assert links(response.content, "next")
    from core.web.counting import COUNT_CAP
    add_members(organization, COUNT_CAP, prefix="extra")
    page = client.get(f"/o/{organization.slug}/")
    assert f"{COUNT_CAP:,}+ members".encode() in page.content


@pytest.mark.browser
def test_a_person_pages_through_the_members_with_the_links_and_axe_finds_nothing(page, sign_in_page, owner,
                                                                                organization):
    from playwright.sync_api import expect

    add_members(organization, PAGE_SIZE + 5)
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.get_by_label("Email starts with").fill("member0054")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#members tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Show all members").click()
    pager = page.get_by_role("navigation", name="Member pages")
    expect(page.locator("#members tbody tr")).to_have_count(PAGE_SIZE)
    pager.get_by_role("link", name="Next →").click()
    expect(page.locator("#members tbody tr")).to_have_count(6)
    expect(pager.get_by_role("link", name="Next →")).to_have_count(0)
    pager.get_by_role("link", name="← Previous").click()
    expect(page.locator("#members tbody tr")).to_have_count(PAGE_SIZE)
    expect(pager.get_by_role("link", name="First page")).to_be_visible()
    # the page fixture runs axe-core (WCAG 2.1 A/AA) on this page, its pager showing


def test_the_admin_user_list_shows_the_estimate_above_the_cap_and_counts_below_it(db):
    from core.admin_paging import ADMIN_COUNT_CAP, EstimatedCountPaginator

    User.objects.bulk_create([User(email=f"u{n}@example.com", password="!") for n in range(ADMIN_COUNT_CAP + 5)])
    if connection.vendor != "postgresql":
        assert EstimatedCountPaginator(User.objects.order_by("email"), 100).count == ADMIN_COUNT_CAP + 1
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_user")
    with CaptureQueriesContext(connection) as captured:
        estimate = EstimatedCountPaginator(User.objects.order_by("email"), 100).count
    assert estimate == pytest.approx(User.objects.count(), rel=0.05)
    assert len(captured.captured_queries) == 1 and "reltuples" in captured.captured_queries[0]["sql"]
    searched = EstimatedCountPaginator(User.objects.filter(email__startswith="u1"), 100).count
    assert searched == User.objects.filter(email__startswith="u1").count()  # 1,000-odd: below the cap, exact
