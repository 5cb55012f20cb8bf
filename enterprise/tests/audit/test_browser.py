"""The audit log page in a real Chromium: filter, verify, export with progress."""

from __future__ import annotations

import os

import pytest

from anneal_enterprise.audit import sealing
from core.services import projects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def audit_page(live_server):
    """A Chromium page of its own, closed after the test.

    Playwright's sync API keeps an event loop running in this thread while it is open; a
    browser shared for the whole session would make every later synchronous ORM call (and
    database flush) in the session refuse to run. The test's own ORM calls are allowed while
    the browser is open, and the browser is gone before the database is flushed.
    """
    from playwright.sync_api import sync_playwright

    from conftest import chromium_path

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(),
                                                 args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
            page = browser.new_context(base_url=live_server.url).new_page()
            page.set_default_timeout(15000)
            yield page
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_an_admin_filters_verifies_and_exports_in_the_browser(organization, audit_page, eager_tasks,
                                                               settings, tmp_path):
    settings.ANNEAL_AUDIT_EXPORT_DIR = str(tmp_path)
    owner = organization.memberships.get().user
    owner.set_password("correct horse battery")
    owner.save()
    for number in range(3):
        projects.create_project(organization, f"Project {number}")
    sealing.seal()

    page = audit_page
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/o/{organization.slug}/")
    page.get_by_role("link", name="Audit log").click()

    page.get_by_label("Action").select_option("project.created")
    page.get_by_role("button", name="Filter", exact=True).click()
    assert page.locator("table.audit-records tbody tr").count() == 3

    page.get_by_role("button", name="Verify this organization's audit log").click()
    assert "Intact" in page.locator(".messages").inner_text()

    page.get_by_role("button", name="Export the filtered records").click()
    row = page.locator("table.exports tbody tr").first
    row.get_by_role("link", name="Download").wait_for()
    assert "done" in row.inner_text() and "100%" in row.inner_text()
