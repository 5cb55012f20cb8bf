"""Banners for the lifecycle and seats, and the upgrade prompt in feature-unavailable slots."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from anneal_enterprise.licensing import banners, clock, services

pytestmark = pytest.mark.django_db
STARTS = datetime(2026, 1, 1, tzinfo=timezone.utc)
EXPIRES = datetime(2027, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def people(make_organization, make_member, make_user):
    organization = make_organization()
    return {
        "staff": make_user(is_staff=True),
        "org_admin": make_member(organization, role="admin"),
        "member": make_member(organization, role="member"),
    }


def banner_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return banners.banner(request) or ""


@pytest.fixture
def licensed(signer):
    clock.set_now(STARTS)
    services.install(signer.issue(starts_at=STARTS, expires_at=EXPIRES, grace_days=10, seats=50,
                                  licensee="Banner Corp"), source="cli")


def test_no_banner_while_the_license_is_valid(licensed, people):
    clock.set_now(EXPIRES - timedelta(days=31))
    assert banner_for(people["staff"]) == ""


def test_expiring_banner_shows_to_instance_admins_only_from_30_days_before(licensed, people):
    clock.set_now(EXPIRES - timedelta(days=30))
    assert re.search(r'expires on <time datetime="2027-01-01T[^"]*Z"[^>]*>1 Jan 2027, \d\d:\d\d UTC</time> \(in 30 days\)',
                     banner_for(people["staff"]))
    assert banner_for(people["org_admin"]) == ""
    assert banner_for(people["member"]) == ""


def test_grace_banner_shows_to_everyone_with_admin_rights(licensed, people):
    clock.set_now(EXPIRES + timedelta(days=1))
    assert re.search(r"keep working during the grace period, until <time [^>]*>11 Jan 2027,", banner_for(people["staff"]))
    assert "Ask your Anneal administrator" in banner_for(people["org_admin"])
    assert banner_for(people["member"]) == ""


def test_expired_banner_tells_admins_nothing_was_deleted(licensed, people):
    clock.set_now(EXPIRES + timedelta(days=10))
    assert "Enterprise features are off and their data is read-only" in banner_for(people["staff"])


def test_over_seats_banner_for_instance_admins(signer, make_organization, make_member, make_user):
    organization = make_organization()
    for _ in range(3):
        make_member(organization)
    services.install(signer.issue(seats=2), source="cli")
    assert "4 of 2 licensed seats are in use. New invitations stop at 3 seats" in banner_for(make_user(is_staff=True))


def render_unavailable(user, feature):
    request = RequestFactory().get("/")
    request.user = user
    return Template('{% load anneal %}{% feature_unavailable feature %}').render(
        Context({"request": request, "feature": feature}))


def test_upgrade_prompt_fills_the_feature_unavailable_slot(people):
    html = render_unavailable(people["staff"], "sso")
    assert "Single sign-on (SSO) is part of Anneal Enterprise." in html
    assert 'href="/plugins/enterprise/license/"' in html
    assert "Ask your Anneal administrator" in render_unavailable(people["member"], "audit_log")


def test_upgrade_prompt_after_expiry_says_data_stays_readable(licensed, people):
    clock.set_now(EXPIRES + timedelta(days=11))
    assert "Existing data stays readable and exportable" in render_unavailable(people["staff"], "audit_log")


def test_prompt_leaves_other_features_to_the_core(people):
    assert "The some plugin thing feature is not available" in render_unavailable(people["staff"], "some_plugin_thing")


def test_banner_renders_at_the_top_of_pages(client, licensed, people):
    clock.set_now(EXPIRES - timedelta(days=5))
    client.force_login(people["staff"])
    assert "license-expiring" in client.get("/plugins/enterprise/license/").content.decode()


def test_the_seat_banner_counts_once_a_minute_and_again_when_a_license_is_installed(
        signer, make_organization, make_member, make_user):
    organization = make_organization()
    for _ in range(3):
        make_member(organization)
    staff = make_user(is_staff=True)
    services.install(signer.issue(seats=2), source="cli")
    assert "4 of 2 licensed seats" in banner_for(staff)

    make_member(organization)
    assert "4 of 2 licensed seats" in banner_for(staff)  # counting reads every user: not on every page

    services.install(signer.issue(seats=2), source="cli")
    assert "5 of 2 licensed seats" in banner_for(staff)
