"""The main flow in a real Chromium: create a prompt, edit it, compare versions, roll back."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_creates_edits_compares_and_rolls_back_a_prompt(page, make_user, make_organization, make_member):
    from core.models import Project

    owner = make_user()
    organization = make_organization(name="Acme", owner=owner)
    Project.objects.create(organization=organization, name="Support bot", slug="support-bot")
    member = make_member(organization, "member", password="correct horse battery")

    page.goto("/sign-in/")
    page.fill("input[name=email]", member.email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(f"/o/{organization.slug}/")
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Prompts").click()

    page.fill("input[name=name]", "Greeting")
    page.fill("textarea[name=body]", "Hello!\nHow can I help?")
    page.click("text=Create prompt")
    assert page.locator("#current-version").inner_text() == "v1"

    page.fill("textarea[name=body]", "Hi there!\nHow can I help?")
    page.fill("input[name=note]", "warmer")
    page.click("text=Save new version")
    assert page.locator("#current-version").inner_text() == "v2"

    page.locator("tr.version[data-number='2']").get_by_role("link", name="Changes").click()
    assert page.locator(".diff-removed", has_text="-Hello!").count() == 1
    assert page.locator(".diff-added", has_text="+Hi there!").count() == 1
    page.go_back()

    page.get_by_role("button", name="Roll back to version 1").click()
    assert page.locator("#current-version").inner_text() == "v3"
    assert page.locator("#current-body").inner_text().startswith("Hello!")

    page.goto(f"/o/{organization.slug}/p/support-bot/")
    assert page.locator("#project-prompts").get_by_role("link", name="Greeting").count() == 1
    page.goto(f"/plugins/prompts/o/{organization.slug}/?q=help")
    assert page.locator("#prompt-list").get_by_role("link", name="Greeting").count() == 1
