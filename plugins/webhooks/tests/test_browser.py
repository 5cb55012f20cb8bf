"""The main flow in a real Chromium: subscribe an endpoint, cause an event, read the delivery log."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_subscribes_an_endpoint_and_sees_a_delivery_in_the_log(
        page, allow_loopback, jobs_in_process, receiver, make_user, make_organization):
    owner = make_user(email="owner@example.com", password="correct horse battery")
    organization = make_organization(name="Acme", owner=owner)

    page.goto("/sign-in/")
    page.fill("input[name=email]", owner.email)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.goto(f"/o/{organization.slug}/")
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Webhooks").click()

    page.fill("input[name=url]", receiver.url)
    page.check("input[value='project.created']")
    page.click("text=Add endpoint")
    assert page.locator("#signing-secret").inner_text().startswith("whsec_")
    endpoint_url = page.url

    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Projects").click()
    page.fill("input[name=name]", "Website")
    page.click("text=Create project")
    page.wait_for_selector("h1:has-text('Website')")

    page.goto(endpoint_url)
    row = page.locator("#delivery-log tr.delivery").first
    assert row.get_attribute("data-status") == "succeeded"
    assert "200" in row.inner_text() and "project.created" in row.inner_text()
    assert receiver.received[0].json["type"] == "project.created"
