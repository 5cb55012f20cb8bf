"""No license state makes the instance fail closed for existing users.

The test walks every transition of the license in force (install, expiry warning, grace, expiry,
renewal with fewer features, over seats, over quotas, a refused key, a stored key that no longer
verifies, removal) and after each one every existing member signs in with their password and
reads their organization, their project and the API.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from anneal_enterprise.licensing import clock, services, status
from anneal_enterprise.licensing.errors import LicenseRefused
from core.models import Membership, Organization, Project

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


@pytest.fixture
def people(make_user):
    """Two organizations with a project each; an owner, an admin and a member in the first."""
    first = Organization.objects.create(name="First", slug="first")
    second = Organization.objects.create(name="Second", slug="second")
    Project.objects.create(organization=first, name="Alpha", slug="alpha")
    Project.objects.create(organization=second, name="Beta", slug="beta")
    found = []
    for organization, role, project in ((first, "owner", "alpha"), (first, "admin", "alpha"),
                                        (first, "member", "alpha"), (second, "owner", "beta")):
        user = make_user(password=PASSWORD)
        Membership.objects.create(organization=organization, user=user, role=role)
        found.append((user, organization.slug, project))
    return found


def assert_everyone_signs_in_and_reads(people, api_client_for, state):
    status.refresh(force=True)
    for user, organization, project in people:
        browser = Client()
        signed_in = browser.post("/sign-in/", {"email": user.email, "password": PASSWORD})
        assert signed_in.status_code == 302, f"{state}: {user.email} cannot sign in"
        page = browser.get(f"/o/{organization}/p/{project}/")
        assert page.status_code == 200 and project.capitalize() in page.content.decode(), f"{state}: project page"
        assert browser.get(f"/o/{organization}/").status_code == 200, f"{state}: organization page"
        api = api_client_for(user).get(f"/api/v1/organizations/{organization}/projects/")
        assert api.status_code == 200, f"{state}: API"
        assert project in {p["slug"] for p in api.json()["results"]}, f"{state}: API data"


def test_every_license_transition_keeps_every_member_signed_in_and_reading(people, signer, settings, api_client_for):
    check = lambda state: assert_everyone_signs_in_and_reads(people, api_client_for, state)  # noqa: E731
    check("unlicensed")
    key = signer.issue(license_id="lic_walk", seats=100, grace_days=14)
    services.install(key, source="cli")
    claims = status.refresh(force=True).claims
    assert claims is not None
    check("valid")
    clock.set_now(claims.warning_starts_at + timedelta(hours=1))
    assert status.current().stage() == "expiring"
    check("expiring")
    clock.set_now(claims.expires_at + timedelta(hours=1))
    assert status.current().stage() == "grace"
    check("grace")
    clock.set_now(claims.grace_ends_at + timedelta(hours=1))
    assert status.current().stage() == "expired"
    check("expired")
    now = clock.now()
    services.install(signer.issue(license_id="lic_fewer", features=["sso"], starts_at=now - timedelta(days=1)),
                     source="cli")
    check("renewed with fewer features")
    services.install(signer.issue(license_id="lic_seats", seats=1, starts_at=now - timedelta(days=1)), source="cli")
    check("over seats")
    services.install(signer.issue(license_id="lic_quota", quotas={"organizations": 1, "projects": 1},
                                  starts_at=now - timedelta(days=1)), source="cli")
    check("over quotas")
    with pytest.raises(LicenseRefused):
        services.install(signer.issue(product="other"), source="cli")
    check("a key refused")
    settings.ANNEAL_LICENSE_EXTRA_PUBLIC_KEYS = {}  # the stored key's public key is gone
    assert status.refresh(force=True).error
    check("stored key no longer verifies")
    services.remove(source="cli")
    check("removed")
