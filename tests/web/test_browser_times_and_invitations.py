"""Times in the viewer's own zone, and an invitation link to copy when email is not set up (Chromium)."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from core.models import Project

pytestmark = pytest.mark.browser


def test_a_time_reads_in_the_viewers_zone_with_the_exact_utc_instant_on_hover(browser, live_server, sign_in_page,
                                                                               organization, owner):
    from core.services import projects

    project = projects.create_project(organization, "Rocket")
    Project.objects.filter(pk=project.pk).update(created_at=datetime(2026, 12, 1, 21, 43, 48, tzinfo=timezone.utc))
    context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York", locale="en-US")
    try:
        page = sign_in_page(context.new_page(), owner)
        page.goto(f"/o/{organization.slug}/p/rocket/")
        shown = page.locator("time").first
        expect(shown).to_have_attribute("datetime", "2026-12-01T21:43:48Z")
        expect(shown).to_have_attribute("title", "2026-12-01T21:43:48Z UTC")
        expect(shown).to_have_text(re.compile(r"Dec 1, 2026,? 0?4:43\s?PM EST"))
    finally:
        context.close()


def test_without_email_the_invite_form_says_where_the_link_went_and_copies_it(browser, live_server, sign_in_page,
                                                                               organization, owner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    context = browser.new_context(base_url=live_server.url, permissions=["clipboard-read", "clipboard-write"])
    try:
        page = sign_in_page(context.new_page(), owner)
        page.goto(f"/o/{organization.slug}/members/")
        expect(page.get_by_text("Email is not set up on this server")).to_be_visible()
        page.get_by_label("Email", exact=True).fill("newbie@example.com")
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_role("status").first).to_contain_text("printed to the server's console")
        link = page.get_by_label("Invitation link").input_value()
        assert re.fullmatch(r"http://\S+/invitations/\S+/", link)
        page.get_by_role("button", name="Copy link").click()
        expect(page.locator('[data-copied-for="invitation-link"]')).to_have_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == link
        page.reload()
        expect(page.get_by_label("Invitation link")).to_have_count(0)  # shown once
    finally:
        context.close()
