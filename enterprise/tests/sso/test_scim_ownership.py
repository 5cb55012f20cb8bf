"""Which accounts an organization's SCIM may change (docs/enterprise/sso.md, "Account ownership")."""

from __future__ import annotations

from typing import Any

import pytest

from core.models import Membership, User

from .conftest import add_verified_domain
from .scim_client import ERROR, Scim, new_user

pytestmark = pytest.mark.django_db


def owner_of(scim: Scim) -> User:
    return Membership.objects.get(organization=scim.organization, role="owner").user


@pytest.fixture
def staff_admin(scim: Scim, make_user: Any) -> User:
    staff = make_user(email="root@instance.test", is_staff=True, is_superuser=True)
    Membership.objects.create(organization=scim.organization, user=staff, role="admin")
    return staff


def replace(scim: Scim, user_id: Any, path: str, value: Any) -> Any:
    return scim.patch_ops(f"/Users/{user_id}", {"op": "replace", "path": path, "value": value})


def test_members_scim_did_not_provision_are_not_listed(scim, staff_admin):
    listed = scim.call("get", "/Users").json()
    assert listed["totalResults"] == 0 and listed["Resources"] == []
    assert scim.call("get", f"/Users/{owner_of(scim).pk}").status_code == 404
    assert scim.call("get", f"/Users/{staff_admin.pk}").status_code == 404


def test_takeover_sequence_fails_at_the_patch(scim, staff_admin):
    """The reported sequence: rewrite the owner's email to an outside address, then reset its password."""
    owner = owner_of(scim)
    direct = replace(scim, owner.pk, "userName", "mallory@example.com")
    assert direct.status_code == 404

    # Even when the IdP links the owner first (the owner is a member, so linking is allowed):
    linked = new_user(scim, owner.email)
    assert linked.status_code == 201, linked.content
    refused = replace(scim, owner.pk, "userName", "mallory@example.com")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/scim+json")
    assert refused.json()["schemas"] == [ERROR] and "not verified" in refused.json()["detail"]
    owner.refresh_from_db()
    assert owner.email != "mallory@example.com"
    assert not User.objects.filter(email="mallory@example.com").exists()  # nothing for a password reset to reach


def test_staff_accounts_are_never_changed(scim, staff_admin):
    add_verified_domain(scim.organization, "instance.test")
    assert new_user(scim, staff_admin.email).status_code == 201
    refused = replace(scim, staff_admin.pk, "name.givenName", "Mallory")
    assert refused.status_code == 403 and "staff" in refused.json()["detail"]
    assert replace(scim, staff_admin.pk, "userName", "mallory@instance.test").status_code == 403
    staff_admin.refresh_from_db()
    assert staff_admin.email == "root@instance.test" and staff_admin.name != "Mallory Grey"


def test_deactivating_staff_removes_only_their_membership(scim, staff_admin):
    new_user(scim, staff_admin.email)
    assert replace(scim, staff_admin.pk, "active", False).status_code == 200
    staff_admin.refresh_from_db()
    assert staff_admin.is_active
    assert not Membership.objects.filter(organization=scim.organization, user=staff_admin).exists()


def test_the_last_active_owner_is_never_deactivated(scim):
    owner = owner_of(scim)
    add_verified_domain(scim.organization, owner.email.rpartition("@")[2])
    new_user(scim, owner.email)
    refused = replace(scim, owner.pk, "active", False)
    assert refused.status_code == 403 and "last active owner" in refused.json()["detail"]
    assert scim.call("delete", f"/Users/{owner.pk}").status_code == 403
    owner.refresh_from_db()
    assert owner.is_active and Membership.objects.filter(organization=scim.organization, user=owner).exists()


def test_an_owner_is_deactivated_when_another_active_owner_remains(scim, make_member):
    owner = owner_of(scim)
    make_member(scim.organization, role="owner")
    new_user(scim, owner.email)
    assert replace(scim, owner.pk, "active", False).status_code == 200


def test_the_last_owner_is_not_demoted_by_a_group(scim):
    owner = owner_of(scim)
    new_user(scim, owner.email)
    group = scim.call("post", "/Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                          "displayName": "Everyone", "members": [{"value": str(owner.pk)}]})
    assert group.status_code == 201
    assert Membership.objects.get(organization=scim.organization, user=owner).role == "owner"


def test_a_member_outside_verified_domains_keeps_their_account(scim, make_member):
    member = make_member(scim.organization, email="pat@gmail.test")
    assert new_user(scim, member.email).status_code == 201
    refused = replace(scim, member.pk, "name.familyName", "Other")
    assert refused.status_code == 403 and "only its membership" in refused.json()["detail"]
    assert replace(scim, member.pk, "active", False).status_code == 200
    member.refresh_from_db()
    assert member.is_active, "the account itself is not SCIM's to deactivate"
    assert not Membership.objects.filter(organization=scim.organization, user=member).exists()


def test_an_account_in_another_organization_is_managed_only_as_a_membership(scim, make_organization, make_member):
    add_verified_domain(scim.organization, "acme.test")
    member = make_member(scim.organization, email="olga@acme.test")
    Membership.objects.create(organization=make_organization(), user=member, role="member")
    new_user(scim, member.email)
    refused = replace(scim, member.pk, "name.givenName", "X")
    assert refused.status_code == 403 and "another organization" in refused.json()["detail"]
    replace(scim, member.pk, "active", False)
    member.refresh_from_db()
    assert member.is_active


def test_an_outside_account_cannot_be_linked(scim, make_user):
    make_user(email="ivy@elsewhere.test")
    assert new_user(scim, "ivy@elsewhere.test").status_code == 409


def test_a_created_account_is_managed_but_keeps_to_verified_domains(scim):
    add_verified_domain(scim.organization, "acme.test")
    user_id = new_user(scim, "gina@acme.test").json()["id"]
    assert replace(scim, user_id, "name.givenName", "Georgina").status_code == 200
    refused = replace(scim, user_id, "emails[primary eq true].value", "gina@elsewhere.test")
    assert refused.status_code == 403 and "not verified" in refused.json()["detail"]
    assert User.objects.get(pk=user_id).email == "gina@acme.test"
    assert replace(scim, user_id, "emails[primary eq true].value", "georgina@acme.test").status_code == 200
    assert User.objects.get(pk=user_id).email == "georgina@acme.test"
    assert replace(scim, user_id, "active", False).status_code == 200
    assert not User.objects.get(pk=user_id).is_active


def test_a_verified_domain_account_of_no_other_organization_is_managed(scim, make_member):
    add_verified_domain(scim.organization, "acme.test")
    member = make_member(scim.organization, email="vic@acme.test")
    new_user(scim, member.email)
    assert replace(scim, member.pk, "name.givenName", "Victor").status_code == 200
    member.refresh_from_db()
    assert member.name.startswith("Victor")


def test_takeover_through_put_or_emails_is_refused_too(scim):
    owner = owner_of(scim)
    new_user(scim, owner.email)
    put = scim.call("put", f"/Users/{owner.pk}", {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "mallory@example.com",
        "emails": [{"value": "mallory@example.com", "primary": True}]})
    assert put.status_code == 403
    patched = scim.patch_ops(f"/Users/{owner.pk}", {"op": "replace", "path": "emails",
                                                    "value": [{"value": "mallory@example.com", "primary": True}]})
    assert patched.status_code == 403
    owner.refresh_from_db()
    assert owner.email != "mallory@example.com" and not User.objects.filter(email="mallory@example.com").exists()


def test_a_managed_owner_cannot_be_moved_to_an_unverified_domain(scim):
    owner = owner_of(scim)
    add_verified_domain(scim.organization, owner.email.rpartition("@")[2])
    new_user(scim, owner.email)
    refused = scim.patch_ops(f"/Users/{owner.pk}", {"op": "replace", "path": "emails[primary eq true].value",
                                                    "value": "mallory@evil.test"})
    assert refused.status_code == 403 and "not verified" in refused.json()["detail"]
    owner.refresh_from_db()
    assert owner.email != "mallory@evil.test"
