"""The License page in a real Chromium: sign in, paste a key, see it in force, remove it."""

from __future__ import annotations

import pytest

from anneal_enterprise.licensing import status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin(make_user):
    return make_user("admin@example.com", password="admin password 1", is_staff=True)


def test_admin_pastes_a_key_on_the_license_page_and_sees_it_in_force(admin, page, signer):
    page.goto("/sign-in/")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "admin password 1")
    page.click("button[type=submit]")
    page.get_by_role("link", name="License").click()
    assert "No license is installed" in page.get_by_test_id("license-stage").inner_text()

    page.fill("#license-key", "-----BEGIN ANNEAL LICENSE KEY-----\nnonsense\n-----END ANNEAL LICENSE KEY-----")
    page.click("button[value=preview]")
    assert "not three dot-separated parts" in page.get_by_test_id("preview-refusal").inner_text()
    assert page.locator("button[value=install]").count() == 0

    page.fill("#license-key", signer.issue(license_id="lic_browser", licensee="Chromium Corp", seats=10))
    page.click("button[value=preview]")
    assert page.get_by_test_id("preview-licensee").inner_text() == "Chromium Corp"
    assert page.locator("[data-feature=sso]").get_attribute("data-change") == "turns_on"
    assert "No license is installed" in page.get_by_test_id("license-stage").inner_text()  # not installed yet
    page.click("button[value=install]")
    assert "License lic_browser for Chromium Corp is installed." in page.locator(".messages").inner_text()
    assert page.get_by_test_id("licensee").inner_text() == "Chromium Corp"
    assert page.get_by_test_id("license-stage").inner_text() == "valid"
    assert "License page" in page.get_by_test_id("source").inner_text()
    assert page.get_by_test_id("seats").inner_text().startswith("0 in use of 10")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_test_id("remove-license").click()
    assert questions and questions[0].startswith("Remove the license?")
    assert page.get_by_test_id("licensee").inner_text() == "Chromium Corp"  # dismissed: still installed
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("remove-license").click()
    assert "The license was removed" in page.locator(".messages").inner_text()
    status.reset()
