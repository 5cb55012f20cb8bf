"""Members and invitations: roles, htmx row updates, refusals with reasons."""

import re

import pytest

from core.models import Invitation, Membership
from core.services import invitations

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def members_url(organization) -> str:
    return f"/o/{organization.slug}/members/"


def test_a_viewer_sees_the_members_but_no_controls(web_client_for, organization, make_member):
    viewer = make_member(organization, "viewer")
    body = web_client_for(viewer).get(members_url(organization)).content.decode()
    assert "owner@example.com" in body
    assert "Remove" not in body and "Send invitation" not in body and "<select" not in body


def test_an_admin_invites_by_email_and_the_invitee_gets_the_link(web_client_for, organization, make_member,
                                                                 mailoutbox, jobs_in_process, django_capture_on_commit_callbacks,
                                                                 captured_events):
    client = web_client_for(make_member(organization, "admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(members_url(organization), {"email": "New@Example.com", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.get().email == "new@example.com"
    assert "/invitations/" in mailoutbox[-1].body
    assert "invitation.created" in [e.type for e in captured_events]


@pytest.mark.parametrize("email, role, message", [
    ("", "member", b"Enter an email address to invite."),
    ("not-an-email", "member", b"not-an-email is not a valid email address."),
    ("a@example.com", "emperor", b"Choose one of the roles: viewer, member, admin, owner."),
    ("owner@example.com", "member", b"owner@example.com is already a member of Acme."),
])
def test_bad_invitations_are_refused_with_the_reason(web_client_for, organization, owner, email, role, message):
    response = web_client_for(owner).post(members_url(organization), {"email": email, "role": role})
    assert response.status_code == 400
    assert message in response.content
    assert not Invitation.objects.exists()


def test_an_admin_cannot_invite_an_owner(web_client_for, organization, make_member):
    response = web_client_for(make_member(organization, "admin")).post(
        members_url(organization), {"email": "boss@example.com", "role": "owner"})
    assert response.status_code == 400 and b"Only owners can invite another owner." in response.content


def test_a_member_cannot_invite_and_is_told_why(web_client_for, organization, make_member):
    response = web_client_for(make_member(organization, "member")).post(
        members_url(organization), {"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403 and b"it needs admin or owner" in response.content


def test_changing_a_role_over_htmx_answers_with_the_updated_row_and_a_message(web_client_for, organization, owner,
                                                                               make_member, captured_events):
    member = make_member(organization, "member")
    membership = Membership.objects.get(user=member)
    response = web_client_for(owner).post(f"{members_url(organization)}{membership.pk}/role/", {"role": "admin"}, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith(f'<tr id="member-{membership.pk}">')
    assert '<option value="admin" selected>' in body
    assert 'hx-swap-oob="true"' in body and f"{member.email} is now admin." in body
    membership.refresh_from_db()
    assert membership.role == "admin"
    assert "membership.role_changed" in [e.type for e in captured_events]


def test_changing_a_role_without_javascript_redirects_back(web_client_for, organization, owner, make_member):
    membership = Membership.objects.get(user=make_member(organization, "member"))
    response = web_client_for(owner).post(f"{members_url(organization)}{membership.pk}/role/", {"role": "viewer"})
    assert response.status_code == 302 and response["Location"] == members_url(organization)


def test_the_last_owner_cannot_step_down_and_the_row_says_why(web_client_for, organization, owner):
    membership = Membership.objects.get(user=owner)
    response = web_client_for(owner).post(f"{members_url(organization)}{membership.pk}/role/", {"role": "admin"}, **HTMX)
    assert b"An organization keeps at least one owner" in response.content
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_an_admin_cannot_touch_an_owner(web_client_for, organization, owner, make_member):
    admin = web_client_for(make_member(organization, "admin"))
    owner_membership = Membership.objects.get(user=owner)
    response = admin.post(f"{members_url(organization)}{owner_membership.pk}/role/", {"role": "viewer"}, **HTMX)
    assert b"Only owners can make someone an owner" in response.content
    response = admin.post(f"{members_url(organization)}{owner_membership.pk}/remove/", **HTMX)
    assert b"Only owners can remove an owner." in response.content
    owner_membership.refresh_from_db()
    assert owner_membership.role == "owner"


def test_an_unknown_role_is_refused(web_client_for, organization, owner, make_member):
    membership = Membership.objects.get(user=make_member(organization, "member"))
    response = web_client_for(owner).post(f"{members_url(organization)}{membership.pk}/role/", {"role": "root"}, **HTMX)
    assert b"Choose one of the roles" in response.content
    membership.refresh_from_db()
    assert membership.role == "member"


def test_removing_a_member_over_htmx_removes_the_row(web_client_for, organization, owner, make_member, captured_events):
    membership = Membership.objects.get(user=make_member(organization, "member"))
    response = web_client_for(owner).post(f"{members_url(organization)}{membership.pk}/remove/", **HTMX)
    assert response.status_code == 200
    assert "<tr" not in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert "membership.deleted" in [e.type for e in captured_events]


def test_a_membership_of_another_organization_is_404(web_client_for, organization, owner, make_organization):
    other = make_organization()
    foreign = Membership.objects.get(organization=other)
    response = web_client_for(owner).post(f"{members_url(organization)}{foreign.pk}/remove/")
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_member_actions_need_post(web_client_for, organization, owner):
    membership = Membership.objects.get(user=owner)
    assert web_client_for(owner).get(f"{members_url(organization)}{membership.pk}/remove/").status_code == 405


def test_revoking_an_invitation(web_client_for, organization, owner, captured_events):
    invitation, _ = invitations.invite(organization, "guest@example.com", "viewer", owner)
    client = web_client_for(owner)
    assert "guest@example.com" in client.get(members_url(organization)).content.decode()
    response = client.post(f"/o/{organization.slug}/invitations/{invitation.pk}/revoke/", **HTMX)
    assert response.status_code == 200 and b"Revoked the invitation of guest@example.com." in response.content
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert "invitation.revoked" in [e.type for e in captured_events]
    again = client.post(f"/o/{organization.slug}/invitations/{invitation.pk}/revoke/", follow=True)
    assert b"This invitation is already revoked." in again.content


def test_a_member_cannot_revoke_an_invitation(web_client_for, organization, owner, make_member):
    invitation, _ = invitations.invite(organization, "guest@example.com", "viewer", owner)
    response = web_client_for(make_member(organization, "member")).post(
        f"/o/{organization.slug}/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_a_refused_htmx_action_answers_with_the_reason_and_leaves_the_page_alone(web_client_for, organization,
                                                                                   make_member):
    membership = Membership.objects.get(user=make_member(organization, "member"))
    response = web_client_for(make_member(organization, "viewer")).post(
        f"{members_url(organization)}{membership.pk}/remove/", **HTMX)
    assert response.status_code == 403
    assert response["HX-Reswap"] == "none"
    assert b"Your role (viewer) does not allow this; it needs admin or owner." in response.content
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_htmx_request_after_the_session_ended_loads_the_sign_in_page(organization):
    from django.test import Client

    response = Client().post(f"{members_url(organization)}1/remove/", **HTMX,
                             HTTP_HX_CURRENT_URL=f"http://testserver{members_url(organization)}")
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/sign-in/?next=%2Fo%2F{organization.slug}%2Fmembers%2F"


def test_an_owner_who_steps_down_is_sent_to_a_fresh_members_page(web_client_for, organization, owner, make_member):
    make_member(organization, "owner")
    membership = Membership.objects.get(user=owner)
    response = web_client_for(owner).post(f"{members_url(organization)}{membership.pk}/role/", {"role": "member"}, **HTMX)
    assert response.status_code == 204 and response["HX-Redirect"] == members_url(organization)
    membership.refresh_from_db()
    assert membership.role == "member"


def test_an_admin_who_removes_themself_is_sent_to_their_organizations(web_client_for, organization, make_member):
    admin = make_member(organization, "admin")
    membership = Membership.objects.get(user=admin)
    response = web_client_for(admin).post(f"{members_url(organization)}{membership.pk}/remove/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_invite_row_is_the_form_component_with_labelled_fields(web_client_for, organization, owner):
    html = web_client_for(owner).get(members_url(organization)).content.decode()
    assert '<label for="id_email">Email</label>' in html and '<label for="id_role">Role</label>' in html
    assert re.search(r'<select name="role" id="id_role">.*<option value="member" selected>', html, re.S)


def test_an_admin_is_offered_every_role_but_owner(web_client_for, organization, make_member):
    html = web_client_for(make_member(organization, "admin")).get(members_url(organization)).content.decode()
    offered = re.findall(r'<option value="(\w+)"', html.split('id="id_role"')[1].split("</select>")[0])
    assert offered == ["viewer", "member", "admin"]


def test_a_refused_invitation_shows_the_reason_by_the_field_and_keeps_what_was_typed(web_client_for, organization,
                                                                                    owner):
    response = web_client_for(owner).post(members_url(organization), {"email": "not-an-email", "role": "admin"})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'<div class="form-error" id="id_email_error" role="alert">not-an-email is not a valid email '
                     r'address.</div>', html)
    assert re.search(r'<input type="email" name="email" value="not-an-email"[^>]*aria-invalid="true"'
                     r'[^>]*aria-describedby="id_email_error"', html)
    assert '<option value="admin" selected>' in html


@pytest.mark.parametrize("fields, message", [
    ({"email": "x" * 250 + "@example.com", "role": "member"}, "Ensure this value has at most 254 characters"),
    ({"email": "a@example.com", "role": "<script>"}, "Choose one of the roles"),
])
def test_hostile_invitations_are_refused_at_the_field_not_with_an_error_page(web_client_for, organization, owner,
                                                                             fields, message):
    response = web_client_for(owner).post(members_url(organization), fields)
    assert response.status_code == 400 and message in response.content.decode()
    assert "<script>" not in response.content.decode().split("<main")[1]
    assert not Invitation.objects.exists()


def test_a_nul_byte_in_the_invite_row_is_refused_with_a_clear_400(web_client_for, organization, owner):
    response = web_client_for(owner).post(members_url(organization), "email=a%00b%40example.com&role=member",
                                          content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400 and b"NUL character" in response.content
    assert not Invitation.objects.exists()
