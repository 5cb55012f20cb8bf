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


def test_each_event_checkbox_sits_beside_its_name_in_columns_on_the_add_and_edit_forms(
        page, sign_in_page, make_user, make_organization):
    from anneal_webhooks.services import create_endpoint

    from core.testing.page_checks import choices_apart_from_their_text

    owner = make_user(email="owner@example.com")
    organization = make_organization(name="Acme", owner=owner)
    create_endpoint(organization, "https://hooks.example.com/anneal", ["project.created"], "Chat-ops", created_by=owner)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_page(page, owner).goto(f"/o/{organization.slug}/")
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Webhooks").click()
    for form in ("add", "edit"):
        if form == "edit":
            page.get_by_role("link", name="https://hooks.example.com/anneal").click()
        events = page.get_by_role("group", name="Events to send")
        assert events.get_by_role("checkbox").count() > 10, form
        assert choices_apart_from_their_text(events) == [], form
        boxes = [box.bounding_box() for box in events.get_by_role("checkbox").all()]
        columns, rows = {round(b["x"]) for b in boxes}, {round(b["y"]) for b in boxes}
        assert len(columns) >= 3 and len(rows) <= len(boxes) / 2, f"{form}: one long column ({columns})"
