"""Checkboxes drawn beside their text, in Chromium, in the enterprise forms issue 15 found broken:
the SSO policy, the support bundle's collectors and the audit destination's TLS option (each box
had been drawn as a block above its label and offset from it)."""

from __future__ import annotations

import pytest

from core.testing.page_checks import choices_apart_from_their_text

pytestmark = pytest.mark.browser


@pytest.fixture
def staff_owner_of_acme(make_user, make_organization, make_member, feature_flags):
    for feature in ("sso", "support", "audit_log"):
        feature_flags.enable(feature)
    owner = make_user(email="owner@example.com", is_staff=True)
    organization = make_organization(name="Acme", owner=owner)
    make_member(organization, "owner", email="second-owner@example.com")  # a second break-glass choice
    return owner, organization


@pytest.mark.parametrize("width", [1366, 375])
def test_each_checkbox_sits_beside_its_text_in_the_sso_policy_collectors_and_tls_forms(
        page, sign_in_page, staff_owner_of_acme, width):
    owner, organization = staff_owner_of_acme
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_page(page, owner)

    page.goto(f"/plugins/enterprise/sso/o/{organization.slug}/settings/")
    policy = page.locator(".card", has=page.get_by_role("heading", name="Policy"))
    assert policy.get_by_role("checkbox").count() == 4  # require SSO, tokens, two break-glass owners
    assert choices_apart_from_their_text(policy) == []
    assert choices_apart_from_their_text(page.locator("main")) == []  # the provider forms' boxes and radios too

    page.goto("/plugins/enterprise/support/bundles/")
    collectors = page.get_by_role("group", name="Collectors")
    assert collectors.get_by_role("checkbox").count() >= 5
    assert choices_apart_from_their_text(collectors) == []

    page.goto(f"/plugins/enterprise/audit/organizations/{organization.slug}/")
    destinations = page.locator(".card", has=page.get_by_role("heading", name="Streaming destinations"))
    assert destinations.get_by_role("checkbox", name="TLS").count() == 1
    assert choices_apart_from_their_text(destinations) == []
