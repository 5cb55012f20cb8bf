"""Navigation without dead ends, in a real Chromium: what a member sees, upgrade prompts, settings tabs."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def signed_in(page: Any, user: Any, live_server: Any) -> Any:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    return page


def organization_tabs(page: Any) -> list[str]:
    return [text.strip() for text in page.get_by_role("navigation", name="Organization").get_by_role("link")
            .all_inner_texts()]


@pytest.fixture
def acme(make_organization, make_user, make_member):
    owner = make_user(email="owner@example.com")
    organization = make_organization(name="Acme", owner=owner)
    return organization, owner, make_member(organization, "member", email="mia@example.com")


def test_a_member_sees_only_what_they_may_open(page, live_server, acme, feature_flags):
    from anneal_enterprise.support import access

    organization, owner, member = acme
    for feature in ("audit_log", "support", "sso"):
        feature_flags.enable(feature)
    access.create_grant(organization, owner, "Ticket 4711", hours=4)

    signed_in(page, member, live_server).goto(f"/o/{organization.slug}/")
    tabs = organization_tabs(page)
    assert "Members" in tabs and "Audit log" not in tabs and "Settings" not in tabs
    expect(page.get_by_test_id("support-active")).to_contain_text("Vendor support has access")
    expect(page.get_by_role("link", name="Manage support access")).to_have_count(0)
    for link in page.locator("main a, header a").all():  # every link a member is shown opens
        href = link.get_attribute("href")
        if href and href.startswith("/") and not href.startswith("/sign-out"):
            assert page.request.get(href).status < 400, href


def test_an_admin_follows_manage_support_access_into_the_settings_tab(page, live_server, acme, feature_flags):
    from anneal_enterprise.support import access

    organization, owner, _ = acme
    feature_flags.enable("support")
    access.create_grant(organization, owner, "Ticket 4711", hours=4)
    signed_in(page, owner, live_server).goto(f"/o/{organization.slug}/")
    page.get_by_role("link", name="Manage support access").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    org_nav = page.get_by_role("navigation", name="Organization")
    expect(org_nav.locator('[aria-current="page"]')).to_have_text("Settings")
    expect(page.get_by_role("navigation", name="Settings sections").locator('[aria-current="page"]')).to_have_text(
        "Support access")


def test_the_sso_settings_section_keeps_the_settings_tab_current(page, live_server, acme, feature_flags):
    organization, owner, _ = acme
    feature_flags.enable("sso")
    signed_in(page, owner, live_server).goto(f"/o/{organization.slug}/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role("link", name="SSO").click()

    expect(page).to_have_url(f"{live_server.url}/plugins/enterprise/sso/o/{organization.slug}/settings/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(page.get_by_role("navigation", name="Organization").locator('[aria-current="page"]')).to_have_text(
        "Settings")


def test_the_unlicensed_audit_log_tab_is_an_upgrade_prompt_answered_with_200(page, live_server, acme):
    organization, owner, _ = acme
    signed_in(page, owner, live_server).goto(f"/o/{organization.slug}/")
    with page.expect_response(f"{live_server.url}/plugins/enterprise/audit/organizations/{organization.slug}/") \
            as answer:
        page.get_by_role("navigation", name="Organization").get_by_role("link", name="Audit log").click()
    assert answer.value.status == 200
    expect(page.locator(".upgrade-prompt")).to_contain_text("The audit log is part of Anneal Enterprise.")
