"""Each role against each organization endpoint: what it may read and write, by the REST API."""

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "member", "admin", "owner"]


@pytest.fixture
def world(make_organization, make_member, make_user):
    organization = make_organization()
    users = {role: make_member(organization, role) for role in ROLES}
    users["outsider"] = make_user()
    target = make_member(organization, "member")
    return organization, users, target


def status_for(api_client_for, user, method, url, data=None):
    client = api_client_for(user)
    return getattr(client, method)(url, data, format="json").status_code


# (method, url template, payload, the lowest role allowed, success status)
CASES = [
    ("get", "/api/v1/organizations/{org}/", None, "viewer", 200),
    ("patch", "/api/v1/organizations/{org}/", {"name": "Renamed"}, "admin", 200),
    ("get", "/api/v1/organizations/{org}/projects/", None, "viewer", 200),
    ("post", "/api/v1/organizations/{org}/projects/", {"name": "New project"}, "member", 201),
    ("get", "/api/v1/organizations/{org}/members/", None, "viewer", 200),
    ("patch", "/api/v1/organizations/{org}/members/{target}/", {"role": "viewer"}, "admin", 200),
    ("get", "/api/v1/organizations/{org}/invitations/", None, "admin", 200),
    ("post", "/api/v1/organizations/{org}/invitations/", {"email": "new@example.com", "role": "member"}, "admin", 201),
]


@pytest.mark.parametrize("role", ROLES + ["outsider"])
@pytest.mark.parametrize("method,template,payload,lowest,success", CASES)
def test_each_role_gets_exactly_the_access_its_rank_allows(
    world, api_client_for, role, method, template, payload, lowest, success
):
    organization, users, target = world
    membership_id = target.memberships.get().pk
    url = template.format(org=organization.slug, target=membership_id)
    status = status_for(api_client_for, users[role], method, url, payload)
    if role == "outsider":
        assert status == 404
    elif ROLES.index(role) >= ROLES.index(lowest):
        assert status == success
    else:
        assert status == 403


@pytest.mark.parametrize("role,expected", [("viewer", 403), ("member", 403), ("admin", 403), ("owner", 204)])
def test_only_owners_delete_an_organization(world, api_client_for, role, expected):
    organization, users, _ = world
    assert status_for(api_client_for, users[role], "delete", f"/api/v1/organizations/{organization.slug}/") == expected


@pytest.mark.parametrize("role,expected", [("viewer", 403), ("member", 403), ("admin", 204), ("owner", 204)])
def test_projects_are_deleted_by_admins_and_owners(world, api_client_for, role, expected):
    from core.models import Project

    organization, users, _ = world
    Project.objects.create(organization=organization, name="P", slug="p")
    url = f"/api/v1/organizations/{organization.slug}/projects/p/"
    assert status_for(api_client_for, users[role], "delete", url) == expected


def test_an_admin_cannot_make_someone_owner(world, api_client_for):
    organization, users, target = world
    url = f"/api/v1/organizations/{organization.slug}/members/{target.memberships.get().pk}/"
    response = api_client_for(users["admin"]).patch(url, {"role": "owner"}, format="json")
    assert response.status_code == 403
    assert "owner" in response.json()["detail"]


def test_the_last_owner_cannot_be_demoted(make_organization, make_user, api_client_for):
    owner = make_user()
    organization = make_organization(owner=owner)
    membership = owner.memberships.get()
    url = f"/api/v1/organizations/{organization.slug}/members/{membership.pk}/"
    response = api_client_for(owner).patch(url, {"role": "admin"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "last_owner"


def test_any_member_may_leave_an_organization(world, api_client_for):
    organization, users, _ = world
    viewer = users["viewer"]
    url = f"/api/v1/organizations/{organization.slug}/members/{viewer.memberships.get().pk}/"
    assert api_client_for(viewer).delete(url).status_code == 204
    assert not viewer.memberships.exists()


def test_a_non_member_sees_no_organization_in_the_list(world, api_client_for):
    _, users, _ = world
    assert api_client_for(users["outsider"]).get("/api/v1/organizations/").json()["results"] == []
