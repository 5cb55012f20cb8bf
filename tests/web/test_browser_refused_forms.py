"""A refused form in Chromium: the reason sits by its field (named by it, the field marked invalid), what was
typed is still there, and the page with the error passes axe-core (the ``page`` fixture checks the last one)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.services import invitations, projects
from core.testing.page_checks import axe_violations

pytestmark = pytest.mark.browser


def expect_refused(field, message: str) -> None:
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(message)


def test_a_refused_invitation_is_explained_by_the_email_field(page, sign_in_page, organization, owner):
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.get_by_label("Email", exact=True).fill("owner@example.com")
    page.get_by_label("Role", exact=True).select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    email = page.get_by_label("Email", exact=True)
    expect_refused(email, "owner@example.com is already a member of Acme.")
    expect(email).to_have_value("owner@example.com")
    expect(page.get_by_label("Role", exact=True)).to_have_value("admin")


def test_a_refused_sign_up_is_explained_by_the_password_and_keeps_the_name(page, organization, owner):
    _, token = invitations.invite(organization, "newbie@example.com", "member", owner)
    page.goto(f"/invitations/{token}/")
    page.get_by_label("Name").fill("New Bie")
    page.get_by_label("Password", exact=True).fill("12345678")
    page.get_by_label("Password again").fill("12345678")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password1_error")).to_contain_text("too common")
    expect(page.get_by_label("Name")).to_have_value("New Bie")
    expect(page.get_by_label("Email")).to_be_disabled()


def test_a_refused_webhook_endpoint_is_explained_by_the_url_and_keeps_the_chosen_events(page, sign_in_page,
                                                                                        organization, owner):
    sign_in_page(page, owner)
    page.goto(f"/plugins/webhooks/o/{organization.slug}/endpoints/")
    events = page.get_by_role("group", name="Events to send")
    expect(events.get_by_role("group", name="project")).to_be_visible()  # one titled group per category
    page.get_by_label("URL").fill("https://10.0.0.1/hooks")
    page.get_by_label("project.deleted", exact=True).check()
    page.get_by_role("button", name="Add endpoint").click()
    url = page.get_by_label("URL")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_url_error")).to_contain_text("outbound policy")
    expect(url).to_have_value("https://10.0.0.1/hooks")
    expect(page.get_by_label("project.deleted", exact=True)).to_be_checked()
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # the ~70 boxes wrap into one column


def test_a_refused_prompt_is_explained_by_its_name_and_the_edit_form_by_its_text(page, sign_in_page, organization,
                                                                                 owner):
    from anneal_prompts import services

    project = projects.create_project(organization, "Support bot")
    services.create_prompt(project, "Greeting", "Hello")
    sign_in_page(page, owner)
    page.goto(f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/")
    page.get_by_label("Name").fill("Greeting")
    page.get_by_label("Text").fill("Hi again")
    page.get_by_role("button", name="Create prompt").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Text")).to_have_value("Hi again")
    assert axe_violations(page) == []
    page.goto(f"/plugins/prompts/o/{organization.slug}/p/{project.slug}/greeting/")
    page.get_by_label("What changed").fill("nothing really")
    page.get_by_role("button", name="Save new version").click()
    expect(page.get_by_label("Text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_body_error")).to_contain_text("same as the current version")
    expect(page.get_by_label("What changed")).to_have_value("nothing really")
