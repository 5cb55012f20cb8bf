"""The main flows of the web UI, end to end in a real headless Chromium.

Each test except the sign-in one starts from a session handed to the browser by
``sign_in_page`` (no sign-in form), which keeps the suite fast.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from core.models import ApiToken, Membership, Organization, Project, User
from core.plugins import hookimpl

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet staple orbit"


@pytest.fixture
def requests_seen(page: Any) -> list[str]:
    """Every URL the page requests, to prove nothing leaves this machine (no CDN)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def test_sign_in_create_an_organization_and_a_project(page, owner, live_server, requests_seen):
    page.goto("/tokens/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/tokens/"))
    page.get_by_label("Email", exact=True).fill("owner@example.com")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email address or password is wrong.")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()

    page.get_by_role("link", name="Organizations").click()
    page.get_by_label("Name").fill("Acme Rockets")
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("heading", name="Acme Rockets")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Created Acme Rockets. You are its owner.")

    page.get_by_label("Name").fill("Launch Control")
    page.get_by_label("Description").fill("Counts down")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Launch Control")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/o/acme-rockets/p/launch-control/")
    assert Project.objects.get().organization == Organization.objects.get(slug="acme-rockets")
    assert {urlparse(url).netloc for url in requests_seen} == {urlparse(live_server.url).netloc}


def test_invite_a_new_person_who_signs_up_from_the_link(page, browser, sign_in_page, organization, owner,
                                                        live_server, jobs_in_process):
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.get_by_label("Email", exact=True).fill("newbie@example.com")
    page.get_by_label("Role", exact=True).select_option("viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invited newbie@example.com as viewer.")
    expect(page.locator("#invitations")).to_contain_text("newbie@example.com")
    link = re.search(r"https?://\S+/invitations/(\S+)/", mail.outbox[-1].body).group(0)

    invitee = browser.new_context(base_url=live_server.url).new_page()
    try:
        invitee.goto(urlparse(link).path)
        expect(invitee.get_by_role("heading", name="Join Acme")).to_be_visible()
        invitee.get_by_label("Name").fill("New Bie")
        invitee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
        invitee.get_by_label("Password again").fill(NEW_PASSWORD)
        invitee.get_by_role("button", name="Create account and join").click()
        expect(invitee.get_by_role("heading", name="Acme")).to_be_visible()
        expect(invitee.get_by_role("status")).to_contain_text("Welcome! You joined Acme as viewer.")
    finally:
        invitee.context.close()
    assert Membership.objects.get(user__email="newbie@example.com").role == "viewer"

    page.reload()
    expect(page.locator("#members")).to_contain_text("newbie@example.com")
    expect(page.locator("#members")).to_contain_text("New Bie")
    expect(page.get_by_text("No pending invitations.")).to_be_visible()


def test_change_a_role_and_remove_a_member_without_reloading(page, sign_in_page, organization, owner, make_member):
    member = make_member(organization, "member", email="mia@example.com")
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Role of mia@example.com", exact=True).select_option("admin")
    page.get_by_role("button", name="Change role of mia@example.com").click()
    expect(page.get_by_role("status")).to_have_text("mia@example.com is now admin.")
    assert Membership.objects.get(user=member).role == "admin"

    owner_row = page.get_by_label("Role of owner@example.com", exact=True)
    owner_row.select_option("viewer")
    page.get_by_role("button", name="Change role of owner@example.com").click()
    expect(page.get_by_role("alert")).to_contain_text("An organization keeps at least one owner")
    expect(owner_row).to_have_value("owner")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove mia@example.com").click()
    expect(page.locator("#members")).not_to_contain_text("mia@example.com")
    assert page.evaluate("window.notReloaded") is True
    assert not Membership.objects.filter(user=member).exists()


def test_an_admin_demoted_while_the_page_is_open_is_told_why_the_change_failed(page, sign_in_page, organization,
                                                                                make_member):
    admin = make_member(organization, "admin", email="ann@example.com")
    make_member(organization, "member", email="mia@example.com")
    sign_in_page(page, admin)
    page.goto(f"/o/{organization.slug}/members/")
    Membership.objects.filter(user=admin).update(role="member")  # another owner demotes Ann meanwhile
    page.get_by_label("Role of mia@example.com", exact=True).select_option("viewer")
    page.get_by_role("button", name="Change role of mia@example.com").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Your role (member) does not allow this; it needs admin or owner.")
    assert Membership.objects.get(user__email="mia@example.com").role == "member"


def test_create_a_token_see_it_once_and_revoke_it(page, sign_in_page, owner):
    sign_in_page(page, owner)
    page.goto("/tokens/")
    page.get_by_label("Name").fill("ci-deploy")
    page.get_by_role("button", name="Create token").click()
    value = page.locator("#new-token").inner_text()
    assert value.startswith("anl_")
    expect(page.get_by_text("It is shown only once")).to_be_visible()
    page.goto("/tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    expect(page.locator("#tokens")).to_contain_text("ci-deploy")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke ci-deploy").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked the token ci-deploy.")
    expect(page.locator("#tokens")).to_contain_text("revoked")
    assert ApiToken.objects.get().revoked_at is not None


def test_change_the_password_then_sign_in_with_the_new_one(page, sign_in_page, owner):
    sign_in_page(page, owner)
    page.goto("/profile/")
    page.get_by_role("link", name="Change your password").click()
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed.")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.get_by_label("Email", exact=True).fill("owner@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Organizations")).to_be_visible()
    assert User.objects.get(pk=owner.pk).check_password(NEW_PASSWORD)


def test_staff_see_the_system_page_with_plugins_and_health(page, sign_in_page, make_user):
    sign_in_page(page, make_user(is_staff=True, is_superuser=True))
    page.goto("/")
    page.get_by_role("link", name="System").click()
    expect(page.locator("#version")).to_contain_text("Anneal")
    expect(page.locator("#plugin-core\\.builtin\\.navigation")).to_contain_text("anneal_navigation")
    expect(page.locator("#health")).to_contain_text("ok")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Django admin")).to_be_visible()


def test_a_viewer_sees_no_write_controls(page, sign_in_page, organization, make_member):
    Project.objects.create(organization=organization, name="Web", slug="web")
    sign_in_page(page, make_member(organization, "viewer"))
    page.goto(f"/o/{organization.slug}/")
    expect(page.get_by_role("link", name="Web")).to_be_visible()
    expect(page.get_by_role("button")).to_have_text(["Sign out"])
    expect(page.get_by_role("link", name="Settings")).to_have_count(0)
    page.get_by_role("link", name="Web").click()
    expect(page.get_by_role("button")).to_have_text(["Sign out"])
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Members").click()
    expect(page.locator("#members")).to_contain_text("owner@example.com")
    expect(page.get_by_role("button")).to_have_text(["Sign out", "Search"])  # the member search reads only
    expect(page.locator("select")).to_have_count(0)


class BrokenBanner:
    @hookimpl
    def anneal_template_slot(self, slot):
        if slot == "organization":
            raise RuntimeError("boom")


def test_a_broken_plugin_shows_an_error_box_and_the_page_still_works(page, sign_in_page, anneal_plugin,
                                                                      organization, owner):
    anneal_plugin(BrokenBanner(), name="broken-banner")
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/")
    expect(page.locator(".plugin-error")).to_contain_text("The plugin broken-banner failed to render")
    page.get_by_label("Name").fill("Still Works")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Still Works")).to_be_visible()
