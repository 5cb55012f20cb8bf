"""The license expiry banner is a styled box inside the page, not bare text flush left under the header (Chromium)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1366, 375])
def test_the_expiry_banner_is_a_coloured_box_with_room_around_its_text_inside_the_page(
        page, sign_in_page, make_user, settings, width):
    from anneal_enterprise.licensing import testing

    staff = make_user(email="admin@example.com", is_staff=True)
    with testing.licensed(settings, expires_at=timezone.now() + timedelta(days=10)):
        page.set_viewport_size({"width": width, "height": 800})
        sign_in_page(page, staff).goto("/")
        banner = page.get_by_role("status").filter(has_text="Install a renewed key before then")
        expect(banner).to_be_visible()
        drawn = banner.evaluate("""e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
            return {background: s.backgroundColor, page: getComputedStyle(document.body).backgroundColor,
                    border: parseFloat(s.borderTopWidth), padding: parseFloat(s.paddingLeft), radius: parseFloat(s.borderTopLeftRadius),
                    left: r.left, right: r.right, viewport: document.documentElement.clientWidth}; }""")
    assert drawn["background"] not in ("rgba(0, 0, 0, 0)", "transparent", drawn["page"]), drawn
    assert drawn["border"] >= 1 and drawn["padding"] >= 8 and drawn["radius"] > 0, drawn
    assert drawn["left"] >= 8 and drawn["right"] <= drawn["viewport"] - 8, drawn  # not flush with the window's edge
