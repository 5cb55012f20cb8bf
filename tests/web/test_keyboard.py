"""Keyboard use in a real Chromium: the skip link, role changes as an explicit action (WCAG 3.2.2),
focus after htmx replaces a table row, and a focus ring that can be seen (3:1)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.models import Invitation, Membership
from core.services.invitations import invite

pytestmark = pytest.mark.browser


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_content(page, sign_in_page, owner, organization):
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('content').contains(document.activeElement)")


def test_arrow_keys_on_a_role_do_not_save_it_the_change_button_does_and_keeps_focus(
        page, sign_in_page, owner, organization, make_member):
    member = make_member(organization, "viewer", email="mia@example.com")
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    role = page.get_by_label("Role of mia@example.com", exact=True)
    role.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(300)  # the old select saved here; nothing may be sent now
    assert Membership.objects.get(user=member).role == "viewer"

    role.select_option("admin")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Change role of mia@example.com")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("mia@example.com is now admin.")
    assert Membership.objects.get(user=member).role == "admin"
    expect(page.get_by_role("button", name="Change role of mia@example.com")).to_be_focused()


def test_granting_owner_asks_first_and_a_dismissed_question_changes_nothing(
        page, sign_in_page, owner, organization, make_member):
    member = make_member(organization, "member", email="mia@example.com")
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.get_by_label("Role of mia@example.com", exact=True).select_option("owner")
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Change role of mia@example.com").click()
    page.wait_for_timeout(300)
    assert questions == ["Make mia@example.com an owner of Acme? Owners can change every setting, "
                         "manage every member and delete the organization."]
    assert Membership.objects.get(user=member).role == "member"

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Change role of mia@example.com").click()
    expect(page.get_by_role("status")).to_have_text("mia@example.com is now owner.")
    assert Membership.objects.get(user=member).role == "owner"


def test_focus_moves_to_the_next_invitation_after_revoking_one_and_to_the_card_after_the_last(
        page, sign_in_page, owner, organization):
    invite(organization, "first@example.com", "member", invited_by=owner)
    invite(organization, "second@example.com", "member", invited_by=owner)
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    page.get_by_role("button", name="Revoke the invitation of first@example.com").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Revoked the invitation of first@example.com.")
    expect(page.get_by_role("button", name="Revoke the invitation of second@example.com")).to_be_focused()

    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Revoked the invitation of second@example.com.")
    expect(page.locator("table#invitations")).to_be_focused()
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 2


def contrast(first: str, second: str) -> float:
    def luminance(rgb: str) -> float:
        channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted([luminance(first), luminance(second)], reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_keyboard_focus_ring_has_at_least_3_to_1_contrast(page, sign_in_page, owner, organization, scheme):
    page.emulate_media(color_scheme=scheme)
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/")
    page.get_by_label("Name").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
    ring = page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return {width: parseFloat(s.outlineWidth), style: s.outlineStyle, color: s.outlineColor,
                card: getComputedStyle(e.closest('.card')).backgroundColor,
                page: getComputedStyle(document.body).backgroundColor}; }""")
    assert ring["style"] == "solid" and ring["width"] >= 2
    assert contrast(ring["color"], ring["card"]) >= 3
    assert contrast(ring["color"], ring["page"]) >= 3
    if scheme == "dark":
        assert contrast(ring["page"], "rgb(0, 0, 0)") < 1.5  # the dark theme is dark


def test_a_table_card_that_scrolls_on_a_phone_can_be_reached_and_scrolled_by_keyboard(
        page, sign_in_page, owner, organization, make_member):
    make_member(organization, "member", email="a-rather-long-address-for-a-narrow-screen@example.com")
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/members/")
    card = page.locator(".card", has=page.locator("table#members"))
    expect(card).to_have_attribute("tabindex", "0")
    expect(card).to_have_attribute("role", "region")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    card.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.card:has(#members)').scrollLeft > 0")

    page.set_viewport_size({"width": 1366, "height": 800})  # wide enough: no longer a scrolling region
    expect(card).not_to_have_attribute("tabindex", "0")



def test_a_mouse_press_draws_no_focus_ring_and_the_keyboard_does(page, sign_in_page, owner, organization):
    sign_in_page(page, owner)
    page.goto(f"/o/{organization.slug}/")
    button = page.get_by_role("button", name="Create project")
    focus = """e => ({focused: document.activeElement === e, visible: e.matches(':focus-visible'),
                     ring: getComputedStyle(e).outlineStyle})"""
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()  # focuses the button; released elsewhere so nothing is submitted
    assert button.evaluate(focus) == {"focused": True, "visible": False, "ring": "none"}
    page.mouse.move(1, 1)
    page.mouse.up()

    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    assert button.evaluate(focus) == {"focused": True, "visible": True, "ring": "solid"}
