"""Support access: grant, use, extend, revoke, expire, and every way a grant must be refused."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from anneal_enterprise.support import access, session
from anneal_enterprise.support.models import SupportGrant
from core.models import Membership

pytestmark = pytest.mark.django_db

BASE = "/plugins/enterprise/support"


def grant_via_page(owner_client, organization, scope="read_only", hours="8"):  # type: ignore[no-untyped-def]
    response = owner_client.post(f"{BASE}/o/{organization.slug}/access/", {
        "action": "create", "reason": "Exports fail", "ticket": "T-4711", "scope": scope, "hours": hours},
        follow=True)
    assert response.status_code == 200, response.content
    link = re.search(r'id="support-link">([^<]+)<', response.content.decode()).group(1)
    assert 'id="support-link"' not in owner_client.get(f"{BASE}/o/{organization.slug}/access/").content.decode()
    return SupportGrant.objects.get(organization=organization), link.replace("http://testserver", "")


def engineer_signs_in(link: str, name: str = "jane.doe") -> Client:
    engineer = Client()
    response = engineer.post(link, {"engineer": name})
    assert response.status_code == 302, response.content
    return engineer


def subjects(mailoutbox) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.subject for m in mailoutbox]


def test_the_full_grant_lifecycle(support_licensed, organization, owner_client, mailoutbox, captured_events):
    grant, link = grant_via_page(owner_client, organization)
    assert grant.scope == "read_only" and grant.ticket == "T-4711"
    assert 7.9 < (grant.expires_at - grant.created_at).total_seconds() / 3600 <= 8
    assert subjects(mailoutbox) == ["Support access to Customer was granted"]
    assert sorted(mailoutbox[0].to) == ["owner@customer.example", "second-owner@customer.example"]

    page = Client().get(link)
    assert page.status_code == 200 and "Exports fail" in page.content.decode()
    engineer = engineer_signs_in(link)
    overview = engineer.get(f"/o/{organization.slug}/")
    assert overview.status_code == 200
    assert "You are acting as <strong>support:jane.doe</strong>" in overview.content.decode()
    assert subjects(mailoutbox)[-1] == "Support signed in to Customer"
    used = next(e for e in captured_events if e.type == "support.access_used")
    assert (used.actor.kind, used.actor.id, used.actor.user_id) == ("support", "support:jane.doe", None)
    signed_in = next(e for e in captured_events if e.type == "user.signed_in")
    assert signed_in.actor.kind == "support"

    grant.refresh_from_db()
    before = grant.expires_at
    response = owner_client.post(f"{BASE}/o/{organization.slug}/access/",
                                 {"action": "extend", "grant": grant.pk, "hours": "4"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.expires_at - before == timedelta(hours=4) and grant.extended_count == 1
    assert subjects(mailoutbox)[-1] == "Support access to Customer was extended"

    owner_client.post(f"{BASE}/o/{organization.slug}/access/", {"action": "revoke", "grant": grant.pk})
    assert subjects(mailoutbox)[-1] == "Support access to Customer was revoked"
    refused = engineer.get(f"/o/{organization.slug}/")
    assert refused.status_code == 302 and refused.url.startswith("/sign-in/")
    assert engineer.get(f"/o/{organization.slug}/").status_code == 302  # signed out for good

    types = [e.type for e in captured_events if e.type.startswith("support.")]
    assert types == ["support.access_granted", "support.access_used", "support.access_extended",
                     "support.access_revoked"]
    assert all(e.organization_id == organization.pk for e in captured_events if e.type.startswith("support."))


def test_an_expired_grant_is_refused_recorded_once_and_owners_are_told(
        support_licensed, organization, owner_client, mailoutbox, captured_events):
    grant, link = grant_via_page(owner_client, organization)
    engineer = engineer_signs_in(link)
    SupportGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = engineer.get(f"/o/{organization.slug}/")
    assert response.status_code == 302 and response.url.startswith("/sign-in/")
    assert access.record_expiries() == 1
    assert access.record_expiries() == 0
    assert subjects(mailoutbox)[-1] == "Support access to Customer has expired"
    expired = [e for e in captured_events if e.type == "support.access_expired"]
    assert len(expired) == 1 and expired[0].actor.kind == "system"


def test_an_expired_unused_link_cannot_be_used(support_licensed, organization, owner_client, captured_events):
    grant, link = grant_via_page(owner_client, organization)
    SupportGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert Client().get(link).status_code == 410
    response = Client().post(link, {"engineer": "mallory"})
    assert response.status_code == 410 and "expired" in response.content.decode()
    refusal = next(e for e in captured_events if e.type == "support.access_refused")
    assert refusal.data["reason"] == "expired" and refusal.actor.id == "support:mallory"
    assert SupportGrant.objects.get(pk=grant.pk).principal is None


def test_a_link_works_once_and_a_made_up_link_not_at_all(support_licensed, organization, owner_client):
    _, link = grant_via_page(owner_client, organization)
    engineer_signs_in(link)
    second = Client().post(link, {"engineer": "someone.else"})
    assert second.status_code == 410 and "already used" in second.content.decode()
    assert Client().get(f"{BASE}/access/not-a-real-token/").status_code == 410
    assert Client().post(link[:-3] + "abc/", {"engineer": "x"}).status_code == 410


def test_a_revoked_link_cannot_be_used(support_licensed, organization, owner, owner_client):
    grant, link = grant_via_page(owner_client, organization)
    access.revoke(grant, owner)
    response = Client().post(link, {"engineer": "jane"})
    assert response.status_code == 410 and "revoked" in response.content.decode()


def test_read_only_support_can_look_but_not_change(support_licensed, organization, owner_client):
    _, link = grant_via_page(owner_client, organization)
    engineer = engineer_signs_in(link)
    assert engineer.get(f"/o/{organization.slug}/members/").status_code == 200
    response = engineer.post(f"/o/{organization.slug}/settings/", {"name": "Hacked"})
    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.name == "Customer"
    assert engineer.get(f"{BASE}/o/{organization.slug}/access/").status_code == 403  # needs admin


def test_read_write_support_actions_are_attributed_to_support(
        support_licensed, organization, owner_client, captured_events):
    _, link = grant_via_page(owner_client, organization, scope="read_write")
    engineer = engineer_signs_in(link, "sam")
    response = engineer.post(f"/o/{organization.slug}/settings/", {"name": "Renamed by support"})
    assert response.status_code == 302
    updated = next(e for e in captured_events if e.type == "organization.updated")
    assert (updated.actor.kind, updated.actor.id) == ("support", "support:sam")
    # read-write is admin, never owner: support cannot extend its own access
    response = engineer.post(f"{BASE}/o/{organization.slug}/access/", {"action": "create", "reason": "more"})
    assert SupportGrant.objects.filter(organization=organization).count() == 1


def test_support_is_never_a_member_and_sees_only_the_granted_organization(
        support_licensed, organization, owner_client, make_organization):
    other = make_organization(name="Other customer")
    _, link = grant_via_page(owner_client, organization)
    engineer = engineer_signs_in(link)
    assert engineer.get(f"/o/{other.slug}/").status_code == 404
    grant = SupportGrant.objects.get(organization=organization)
    assert not Membership.objects.filter(user=grant.principal).exists()
    assert grant.principal.is_service and not grant.principal.has_usable_password()


def test_an_idle_support_session_ends(support_licensed, organization, owner_client, settings):
    _, link = grant_via_page(owner_client, organization)
    engineer = engineer_signs_in(link)
    store = engineer.session
    store[session.SEEN_KEY] = time.time() - 31 * 60
    store.save()
    response = engineer.get(f"/o/{organization.slug}/", follow=True)
    assert "minutes without activity" in response.content.decode()


def test_a_support_principal_cannot_use_api_tokens_or_passwords(
        support_licensed, organization, owner_client, api_client_for):
    _, link = grant_via_page(owner_client, organization)
    engineer_signs_in(link)
    principal = SupportGrant.objects.get(organization=organization).principal
    response = api_client_for(principal).get(f"/api/v1/organizations/{organization.slug}/")
    assert response.status_code in (401, 403)


def test_only_owners_grant_and_bad_input_is_refused(support_licensed, organization, make_member, owner):
    admin = make_member(organization, "admin")
    client = Client()
    client.force_login(admin)
    assert client.get(f"{BASE}/o/{organization.slug}/access/").status_code == 200
    client.post(f"{BASE}/o/{organization.slug}/access/", {"action": "create", "reason": "x"})
    assert not SupportGrant.objects.exists()
    for reason, scope, hours, message in [("", "read_only", "8", "reason"), ("r", "root", "8", "scope"),
                                          ("r", "read_only", "-1", "duration"), ("r", "read_only", "999", "duration"),
                                          ("r", "read_only", "eight", "number")]:
        with pytest.raises(access.ServiceError, match=message):
            access.create_grant(organization, owner, reason, scope, hours)


def test_without_the_support_feature_access_shows_the_upgrade_slot(organization, owner, owner_client):
    page = owner_client.get(f"{BASE}/o/{organization.slug}/access/").content.decode()
    assert "feature-unavailable" in page or "upgrade" in page.lower()
    assert 'id="grant-form"' not in page
    with pytest.raises(access.ServiceError, match="support feature"):
        access.create_grant(organization, owner, "needs help")


def test_a_grant_made_while_licensed_stops_working_when_the_license_lapses(
        anneal_plugin, organization, owner_client):
    from core.plugins import hookimpl

    class License:
        enabled = True

        @hookimpl
        def anneal_feature_enabled(self, name, organization):  # type: ignore[no-untyped-def]
            return self.enabled if name == "support" else None

    license = anneal_plugin(License())
    _, link = grant_via_page(owner_client, organization)
    engineer = engineer_signs_in(link)
    assert engineer.get(f"/o/{organization.slug}/").status_code == 200
    license.enabled = False
    response = engineer.get(f"/o/{organization.slug}/", follow=True)
    assert "without the support feature" in response.content.decode()


def test_a_malformed_engineer_name_is_refused_and_the_link_stays_unused(support_licensed, organization, owner_client):
    grant, link = grant_via_page(owner_client, organization)
    for name in ["", "Jane Doe", "<script>", "a" * 80, "../admin"]:
        response = Client().post(link, {"engineer": name})
        html = response.content.decode()
        assert response.status_code == 400 and 'id="id_engineer_error" role="alert">Enter your name as lowercase' in html
        assert 'aria-invalid="true"' in html
    grant.refresh_from_db()
    assert grant.redeemed_at is None and grant.principal is None


def test_owners_manage_grants_through_the_api(support_licensed, organization, owner, make_member, api_client_for,
                                              mailoutbox):
    api = f"/api/v1/plugins/enterprise/support/organizations/{organization.slug}/grants/"
    client = api_client_for(owner)
    created = client.post(api, {"reason": "Ticket 12", "scope": "read_write", "hours": 2}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "waiting for the engineer" and "/plugins/enterprise/support/access/" in body["link"]
    extended = client.post(f"{api}{body['id']}/extend/", {"hours": 1}, format="json").json()
    assert extended["extended_count"] == 1
    assert client.post(f"{api}{body['id']}/revoke/").json()["status"] == "revoked"
    assert len(client.get(api).json()) == 1
    admin = api_client_for(make_member(organization, "admin"))
    assert admin.get(api).status_code == 200
    assert admin.post(api, {"reason": "x"}, format="json").status_code == 403
    assert len(mailoutbox) == 3


def test_the_sweep_task_records_expired_grants(support_licensed, organization, owner, mailoutbox):
    from anneal_enterprise.support.tasks import sweep

    grant, _ = access.create_grant(organization, owner, "help")
    SupportGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert sweep() == {"bundles_deleted": 0, "grants_expired": 1}
    assert sweep() == {"bundles_deleted": 0, "grants_expired": 0}
    assert mailoutbox[-1].subject == "Support access to Customer has expired"


def test_read_write_support_cannot_invite_people_to_outlast_the_grant(
        support_licensed, organization, owner_client, captured_events):
    from core.models import Invitation

    _, link = grant_via_page(owner_client, organization, scope="read_write")
    engineer = engineer_signs_in(link, "sam")
    response = engineer.post(f"/o/{organization.slug}/members/", {"action": "invite", "email": "sam@vendor.example", "role": "admin"},
                             follow=True)
    assert "Support access cannot invite people" in response.content.decode()
    assert not Invitation.objects.exists()
    engineer.post("/", {"name": "Support's own org"})
    assert not Membership.objects.filter(user__email__endswith="support.anneal.invalid").exists()


def test_signing_out_after_a_revocation_is_attributed_to_support(
        support_licensed, organization, owner, owner_client, captured_events):
    grant, link = grant_via_page(owner_client, organization)
    engineer = engineer_signs_in(link)
    access.revoke(SupportGrant.objects.get(pk=grant.pk), owner)
    engineer.get(f"/o/{organization.slug}/")
    signed_out = next(e for e in captured_events if e.type == "user.signed_out")
    assert (signed_out.actor.kind, signed_out.actor.id) == ("support", "support:jane.doe")


def test_members_see_on_the_overview_that_support_has_access(support_licensed, organization, owner_client,
                                                              make_member):
    grant, link = grant_via_page(owner_client, organization)
    member = Client()
    member.force_login(make_member(organization, "viewer"))
    page = member.get(f"/o/{organization.slug}/").content.decode()
    assert 'data-testid="support-active"' in page and "Exports fail" in page
    access.revoke(grant, grant.created_by)
    assert 'data-testid="support-active"' not in member.get(f"/o/{organization.slug}/").content.decode()


def test_a_hostile_reason_is_shown_as_text_everywhere(support_licensed, organization, owner, owner_client):
    grant, token = access.create_grant(organization, owner, "<script>alert(1)</script>")
    pages = [owner_client.get(f"/o/{organization.slug}/").content.decode(),
             owner_client.get(f"{BASE}/o/{organization.slug}/access/").content.decode(),
             Client().get(f"{BASE}/access/{token}/").content.decode()]
    for page in pages:
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
