import pytest

pytestmark = pytest.mark.django_db


def test_creating_an_organization_makes_the_creator_its_owner(make_user, api_client_for):
    user = make_user()
    response = api_client_for(user).post("/api/v1/organizations/", {"name": "Acme Corp"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "acme-corp"
    assert response.json()["role"] == "owner"


def test_a_non_member_gets_404_for_an_organization(make_organization, make_user, api_client_for):
    organization = make_organization()
    response = api_client_for(make_user()).get(f"/api/v1/organizations/{organization.slug}/")
    assert response.status_code == 404
