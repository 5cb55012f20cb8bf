"""The support UI in a real Chromium: build, preview and download a bundle; grant and use support access."""

from __future__ import annotations

import re
import zipfile

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


def sign_in(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/$"))


def test_staff_build_preview_and_download_a_bundle(page, make_user, support_licensed, bundle_worker, tmp_path):
    make_user(email="admin@customer.example", is_staff=True)
    sign_in(page, "admin@customer.example")
    page.goto("/system/")
    page.click("#build-support-bundle")
    page.wait_for_url(re.compile(r".*/support/bundles/$"))
    for checkbox in page.locator("input[name=collectors]").all():
        if checkbox.get_attribute("value") not in ("versions", "counts", "recent_logs"):
            checkbox.uncheck()
    page.check("input[name=collectors][value=recent_logs]")
    page.click("#new-bundle button[type=submit]")
    page.wait_for_selector("#download-bundle", timeout=60000)
    assert page.locator("#bundle-status").inner_text() == "ready"
    files = [d.get_attribute("data-file") for d in page.locator("details.preview-file").all()]
    assert files == ["manifest.json", "versions.json", "counts.json", "recent_logs.txt"]
    page.click("details[data-file='counts.json'] summary")
    assert '"users"' in page.locator("details[data-file='counts.json'] pre").inner_text()
    with page.expect_download() as download_info:
        page.click("#download-bundle")
    path = tmp_path / "bundle.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) == set(files)


def test_an_owner_grants_access_and_the_engineer_works_under_a_banner_until_revoked(
        page, browser, live_server, make_user, make_organization, support_licensed, settings):
    settings.BASE_URL = live_server.url  # the link shown is built from the base URL
    owner = make_user(email="owner@customer.example")
    organization = make_organization(name="Customer", owner=owner)
    sign_in(page, "owner@customer.example")
    page.goto(f"/o/{organization.slug}/settings/")
    page.click("text=Support access")
    page.fill("input[name=reason]", "Exports fail")
    page.select_option("select[name=scope]", "read_only")
    page.click("#grant-form button[type=submit]")
    link = page.locator("#support-link").inner_text().strip()

    engineer_context = browser.new_context(base_url=live_server.url)
    engineer = engineer_context.new_page()
    try:
        engineer.goto(link)
        engineer.fill("input[name=engineer]", "jane.doe")
        engineer.click("button[type=submit]")
        engineer.wait_for_url(re.compile(rf".*/o/{organization.slug}/$"))
        banner = engineer.get_by_test_id("support-banner")
        assert "support:jane.doe" in banner.inner_text() and "read-only" in banner.inner_text()

        page.reload()
        row = page.locator("tr[data-grant]")
        assert "support:jane.doe" in row.inner_text() and "in use" in row.inner_text()
        page.click("tr[data-grant] button:has-text('Revoke')")
        assert "revoked" in page.locator("tr[data-grant] .grant-status").inner_text()

        engineer.goto(f"/o/{organization.slug}/")
        engineer.wait_for_url(re.compile(r".*/sign-in/.*"))
        assert "revoked it or it expired" in engineer.content()
        engineer.goto(link)
        assert "revoked" in engineer.locator("#support-problem").inner_text()
    finally:
        engineer_context.close()
