"""Organizations require MFA with a grace period; staff by setting; owners reset; the last-owner guard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.mfa import administration
from core.models import Membership, MfaRequirement, Passkey, TotpAuthenticator
from core.services.errors import ServiceError
from tests.mfa.conftest import PASSWORD, current_code, password_step, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(make_organization, totp_user):
    return make_organization(name="Acme", owner=totp_user)


def require(organization, owner, grace_days=7, enabled_days_ago=0):
    requirement = administration.set_requirement(organization, owner, True, grace_days)
    if enabled_days_ago:
        MfaRequirement.objects.filter(pk=requirement.pk).update(
            enabled_at=timezone.now() - timedelta(days=enabled_days_ago))
        Membership.objects.filter(organization=organization).update(
            created_at=timezone.now() - timedelta(days=enabled_days_ago + 1))
    return requirement


def test_the_last_owner_cannot_require_what_they_do_not_meet(make_organization, make_user, web_client_for):
    owner = make_user(password=PASSWORD)
    organization = make_organization(owner=owner)
    with pytest.raises(ServiceError, match="Set up a second factor for yourself first"):
        administration.set_requirement(organization, owner, True, 7)
    client = web_client_for(owner)
    response = client.post(f"/o/{organization.slug}/settings/mfa/", {"required": "on", "grace_days": "7"})
    assert response.status_code == 400 and "for yourself first" in response.content.decode()
    assert not MfaRequirement.objects.filter(organization=organization, required=True).exists()


def test_an_owner_with_a_factor_requires_mfa_and_it_is_audited(acme, totp_user, sign_in_with_totp, captured_events):
    client = sign_in_with_totp(totp_user)
    response = client.post(f"/o/{acme.slug}/settings/mfa/", {"required": "on", "grace_days": "3"})
    assert response.status_code == 302
    requirement = MfaRequirement.objects.get(organization=acme)
    assert requirement.required and requirement.grace_days == 3 and requirement.enabled_at is not None
    changed = [e for e in captured_events if e.type == "mfa.requirement_changed"]
    assert changed and changed[0].organization_id == acme.pk
    assert changed[0].diff["required"] == [None, True] or changed[0].diff["required"][1] is True


def test_admins_see_the_requirement_but_cannot_change_it(acme, make_member, web_client_for):
    admin = make_member(acme, "admin")
    client = web_client_for(admin)
    assert client.get(f"/o/{acme.slug}/settings/mfa/").status_code == 200
    assert client.post(f"/o/{acme.slug}/settings/mfa/", {"grace_days": "0"}).status_code == 403
    member = make_member(acme, "member")
    assert web_client_for(member).get(f"/o/{acme.slug}/settings/mfa/").status_code == 403


def test_owners_see_who_has_enrolled(acme, totp_user, make_member, sign_in_with_totp):
    make_member(acme, "member", email="nofactor@example.com")
    require(acme, totp_user)
    page = sign_in_with_totp(totp_user).get(f"/o/{acme.slug}/settings/mfa/").content.decode()
    rows = {row.split("</td>")[0].split("<td>")[-1]: row for row in page.split("<tr id=\"mfa-member-")[1:]}
    assert "Authenticator app" in rows[totp_user.email]
    assert "none" in rows["nofactor@example.com"] and "UTC" in rows["nofactor@example.com"]


def test_during_the_grace_period_a_member_signs_in_and_is_reminded(acme, totp_user, make_member):
    member = make_member(acme, "member", password=PASSWORD)
    require(acme, totp_user, grace_days=7)
    client = Client()
    response = password_step(client, member)
    assert response["Location"] == "/" and signed_in(client)
    page = client.get("/").content.decode()
    assert "Acme requires a second factor" in page and client.get("/").status_code == 200


def test_someone_who_already_has_a_factor_is_not_reminded(acme, totp_user, sign_in_with_totp):
    require(acme, totp_user, grace_days=7)
    client = sign_in_with_totp(totp_user)
    assert "Set one up before" not in client.get("/").content.decode()
    assert "You have one." in client.get("/profile/security/").content.decode()


def test_after_the_grace_period_a_member_is_guided_through_enrollment(acme, totp_user, make_member, mfa_clock,
                                                                     api_client_for):
    member = make_member(acme, "member", password=PASSWORD)
    require(acme, totp_user, grace_days=7, enabled_days_ago=8)
    client = Client()
    response = password_step(client, member)
    assert response["Location"] == "/profile/security/" and signed_in(client)
    for path in ("/", f"/o/{acme.slug}/", "/tokens/", "/profile/", "/system/"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked["Location"] == "/profile/security/", path
    api = client.get("/api/v1/organizations/")
    assert api.status_code == 403 and api.json()["code"] == "mfa_enrollment_required"
    assert api_client_for(member).get("/api/v1/organizations/").status_code == 200  # tokens are not affected
    assert "In force now" in client.get("/profile/security/").content.decode()

    page = client.get("/profile/security/totp/").content.decode()
    secret = page.split('id="totp-secret">')[1].split("<")[0].replace(" ", "")
    client.post("/profile/security/totp/", {"code": current_code(secret, mfa_clock)})
    assert client.get("/").status_code == 200


def test_a_member_who_joins_late_gets_the_full_grace_period(acme, totp_user, make_member):
    require(acme, totp_user, grace_days=7, enabled_days_ago=30)
    newcomer = make_member(acme, "member", password=PASSWORD)  # joined today
    client = Client()
    assert password_step(client, newcomer)["Location"] == "/"


def test_a_grace_period_of_zero_days_applies_at_once(acme, totp_user, make_member):
    member = make_member(acme, "member", password=PASSWORD)
    require(acme, totp_user, grace_days=0)
    assert password_step(Client(), member)["Location"] == "/profile/security/"


def test_switching_the_requirement_off_lets_members_in_again(acme, totp_user, make_member):
    member = make_member(acme, "member", password=PASSWORD)
    require(acme, totp_user, grace_days=0)
    administration.set_requirement(acme, totp_user, False, 0)
    assert password_step(Client(), member)["Location"] == "/"


def test_staff_must_use_mfa_when_the_instance_says_so(make_user, settings):
    staff = make_user(password=PASSWORD, is_staff=True)
    assert password_step(Client(), staff)["Location"] == "/"
    settings.ANNEAL_MFA_REQUIRED_FOR_STAFF = True
    client = Client()
    assert password_step(client, staff)["Location"] == "/profile/security/"
    assert client.get("/system/")["Location"] == "/profile/security/"
    regular = make_user(password=PASSWORD)
    assert password_step(Client(), regular)["Location"] == "/"


def test_an_owner_resets_a_members_factors_audited_and_emailed(acme, totp_user, make_member, enroll_totp,
                                                               sign_in_with_totp, captured_events, mailoutbox,
                                                               jobs_in_process, django_capture_on_commit_callbacks):
    member = make_member(acme, "member", password=PASSWORD, email="lost@example.com")
    enroll_totp(member)
    Passkey.objects.create(user=member, name="Key", credential_id="cred-1", public_key=b"k")
    membership = Membership.objects.get(user=member)
    client = sign_in_with_totp(totp_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/{acme.slug}/members/{membership.pk}/mfa-reset/", {"reason": "lost phone, called"})
    assert response.status_code == 302
    assert not TotpAuthenticator.objects.filter(user=member).exists() and not Passkey.objects.filter(user=member).exists()
    reset = [e for e in captured_events if e.type == "mfa.factors_reset"]
    assert len(reset) == 1 and reset[0].data["reason"] == "lost phone, called" and reset[0].organization_id == acme.pk
    assert reset[0].actor.user_id == totp_user.pk
    assert [m.to for m in mailoutbox] == [["lost@example.com"]]
    assert "removed all second factors" in mailoutbox[0].body
    fresh = Client()
    assert password_step(fresh, member)["Location"] == "/"  # no factor left: the password signs in again


def test_a_reset_needs_a_reason(acme, totp_user, make_member, sign_in_with_totp, enroll_totp):
    member = make_member(acme, "member")
    enroll_totp(member)
    membership = Membership.objects.get(user=member)
    sign_in_with_totp(totp_user).post(f"/o/{acme.slug}/members/{membership.pk}/mfa-reset/", {"reason": " "})
    assert TotpAuthenticator.objects.filter(user=member).exists()


def test_an_owner_cannot_reset_another_owner_nor_an_admin_anyone(acme, totp_user, make_member, sign_in_with_totp,
                                                                 web_client_for, enroll_totp):
    other_owner = make_member(acme, "owner")
    enroll_totp(other_owner)
    membership = Membership.objects.get(user=other_owner)
    response = sign_in_with_totp(totp_user).post(f"/o/{acme.slug}/members/{membership.pk}/mfa-reset/",
                                                 {"reason": "x"})
    assert response.status_code == 403 and TotpAuthenticator.objects.filter(user=other_owner).exists()
    admin = make_member(acme, "admin")
    member = make_member(acme, "member")
    enroll_totp(member)
    target = Membership.objects.get(user=member)
    assert web_client_for(admin).post(f"/o/{acme.slug}/members/{target.pk}/mfa-reset/",
                                      {"reason": "x"}).status_code == 403
    assert TotpAuthenticator.objects.filter(user=member).exists()


def test_staff_reset_anyones_factors(make_user, web_client_for, enroll_totp, captured_events, mailoutbox,
                                     jobs_in_process, django_capture_on_commit_callbacks):
    staff = make_user(is_staff=True)
    person = make_user(email="owner-locked-out@example.com")
    enroll_totp(person)
    client = web_client_for(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/system/mfa-reset/", {"email": person.email, "reason": "verified by phone"})
    assert response.status_code == 302 and not TotpAuthenticator.objects.filter(user=person).exists()
    assert [e.data["by_role"] for e in captured_events if e.type == "mfa.factors_reset"] == ["staff"]
    assert mailoutbox[0].to == [person.email]
    regular = make_user()
    assert web_client_for(regular).post("/system/mfa-reset/", {"email": person.email, "reason": "x"}).status_code == 403


def test_the_system_page_shows_the_staff_setting_and_links_to_the_reset(make_user, web_client_for, settings):
    settings.ANNEAL_MFA_REQUIRED_FOR_STAFF = False
    page = web_client_for(make_user(is_staff=True)).get("/system/").content.decode()
    assert "not required for staff" in page and 'href="/system/mfa-reset/"' in page


def test_changing_the_requirement_or_resetting_asks_for_a_step_up(acme, totp_user, make_member, web_client_for,
                                                                  enroll_totp):
    member = make_member(acme, "member")
    enroll_totp(member)
    stale = web_client_for(totp_user)  # the owner's session has no recent second factor
    response = stale.post(f"/o/{acme.slug}/settings/mfa/", {"required": "on", "grace_days": "1"})
    assert response["Location"].startswith("/sign-in/confirm/")
    membership = Membership.objects.get(user=member)
    response = stale.post(f"/o/{acme.slug}/members/{membership.pk}/mfa-reset/", {"reason": "x"})
    assert response["Location"].startswith("/sign-in/confirm/")
    assert not MfaRequirement.objects.filter(organization=acme, required=True).exists()
    assert TotpAuthenticator.objects.filter(user=member).exists()
