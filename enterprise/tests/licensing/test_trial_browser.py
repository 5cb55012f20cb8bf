"""The offline trial in a real Chromium: one click on an upgrade prompt, a countdown, no second trial, the end.

Time travels through the licensing clock (the live server runs in this process), never by sleeping.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from anneal_enterprise.licensing import clock
from anneal_enterprise.licensing.models import Trial
from core.plugins import TrialOffer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
START = datetime.now(timezone.utc).replace(microsecond=0)
PROMPT = "/plugins/enterprise/audit/instance/"


@pytest.fixture
def acme(vendor_product, make_user):
    clock.set_now(START)
    vendor_product(trial=lambda production, test: TrialOffer(
        grant=production.trial_grant(product="acme-cloud", days=30, license_id="trial_acme_browser"), days=30))
    make_user("admin@example.com", password="admin password 1", is_staff=True)


def sign_in(page):
    page.goto("/sign-in/")
    page.fill("input[name=email]", "admin@example.com")
    page.fill("input[name=password]", "admin password 1")
    page.click("button[type=submit]")


def test_an_admin_starts_the_trial_from_an_upgrade_prompt_sees_the_countdown_and_cannot_start_another(acme, page):
    sign_in(page)
    page.goto(PROMPT)
    prompt = page.locator(".upgrade-prompt[data-feature=audit_log]")
    assert "The audit log is part of Acme Cloud Enterprise." in prompt.inner_text()
    assert prompt.get_by_role("link", name="Buy a license").get_attribute("href") == "https://acme.example/buy"
    stale = page.context.new_page()  # a second tab that still shows the prompt's button
    stale.goto(PROMPT)

    page.get_by_test_id("start-trial").click()
    assert page.url.endswith(PROMPT)
    assert "The trial of Acme Cloud Enterprise has started" in page.locator(".messages").inner_text()
    banner = page.get_by_test_id("trial-banner")
    assert "30 days left" in banner.inner_text()
    assert "nothing is deleted, nobody is locked out" in banner.inner_text()
    assert page.locator(".upgrade-prompt").count() == 0  # the audit log is on

    clock.set_now(START + timedelta(days=10, hours=1))
    page.reload()
    assert page.get_by_test_id("trial-banner").get_attribute("data-days-left") == "20"
    assert "20 days left" in page.get_by_test_id("trial-banner").inner_text()

    stale.get_by_test_id("start-trial").click()
    refusal = stale.locator(".messages").inner_text()
    assert "This instance already started its trial of Acme Cloud Enterprise" in refusal
    assert "A trial can be started once per instance." in refusal
    stale.close()
    assert Trial.objects.count() == 1

    page.get_by_role("link", name="License").first.click()
    assert page.get_by_test_id("start-trial").count() == 0
    assert "already started its trial" in page.get_by_test_id("trial-state").inner_text()

    clock.set_now(START + timedelta(days=30, minutes=1))
    page.goto(PROMPT)
    assert "The trial of Acme Cloud Enterprise ended on" in page.get_by_test_id("trial-banner").inner_text()
    assert page.locator("h1").inner_text() == "Instance audit log"  # readable after the end
    clock.set_now(None)
