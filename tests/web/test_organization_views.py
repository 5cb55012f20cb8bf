"""Organization list, overview and settings: permissions and bad input."""

import pytest

from core.models import Organization, Project

pytestmark = pytest.mark.django_db


def test_creating_an_organization_makes_you_its_owner_and_opens_it(web_client_for, make_user):
    user = make_user()
    response = web_client_for(user).post("/", {"name": "Umbrella Corp", "slug": ""})
    assert response.status_code == 302 and response["Location"] == "/o/umbrella-corp/"
    assert Organization.objects.get(slug="umbrella-corp").memberships.get().role == "owner"


@pytest.mark.parametrize("name, message", [
    ("", b"Give the organization a name."),
    ("!!!", b"at least one letter or digit"),
    ("x" * 201, b"too long"),
])
def test_a_bad_organization_name_is_refused_with_the_reason(web_client_for, make_user, name, message):
    response = web_client_for(make_user()).post("/", {"name": name})
    assert response.status_code == 400
    assert message in response.content
    assert not Organization.objects.exists()


def test_a_taken_slug_is_refused_and_the_form_keeps_what_was_typed(web_client_for, organization, make_user):
    response = web_client_for(make_user()).post("/", {"name": "Another", "slug": organization.slug})
    assert response.status_code == 400
    assert b"is taken; choose another" in response.content
    assert b'value="Another"' in response.content


def test_the_list_shows_only_your_organizations(web_client_for, organization, make_organization, make_user):
    other = make_organization(name="Hidden Org")
    body = web_client_for(organization.memberships.get().user).get("/").content.decode()
    assert "Acme" in body and other.name not in body


def test_a_non_member_gets_404_on_every_organization_page(web_client_for, organization, make_user):
    client = web_client_for(make_user())
    project = Project.objects.create(organization=organization, name="Web", slug="web")
    for url in [f"/o/{organization.slug}/", f"/o/{organization.slug}/members/",
                f"/o/{organization.slug}/settings/", f"/o/{organization.slug}/p/{project.slug}/"]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/o/{organization.slug}/", {"name": "Sneaky"}).status_code == 404
    assert not Project.objects.filter(slug="sneaky").exists()


def test_a_missing_organization_is_the_same_404_as_a_hidden_one(web_client_for, make_user):
    response = web_client_for(make_user()).get("/o/does-not-exist/")
    assert response.status_code == 404
    assert b"No such organization, or you are not a member of it." in response.content


def test_a_viewer_sees_no_write_controls_and_cannot_create_a_project(web_client_for, organization, make_member):
    client = web_client_for(make_member(organization, "viewer"))
    body = client.get(f"/o/{organization.slug}/").content.decode()
    assert "New project" not in body and "Settings" not in body
    response = client.post(f"/o/{organization.slug}/", {"name": "Nope"})
    assert response.status_code == 403
    assert b"Your role (viewer) does not allow this; it needs member or higher." in response.content
    assert not Project.objects.exists()


def test_a_member_creates_a_project(web_client_for, organization, make_member, captured_events):
    response = web_client_for(make_member(organization, "member")).post(
        f"/o/{organization.slug}/", {"name": "Web App", "description": "The shop"})
    assert response["Location"] == f"/o/{organization.slug}/p/web-app/"
    assert "project.created" in [e.type for e in captured_events]


def test_a_duplicate_project_name_is_refused_with_the_reason(web_client_for, organization, owner):
    client = web_client_for(owner)
    client.post(f"/o/{organization.slug}/", {"name": "Web"})
    response = client.post(f"/o/{organization.slug}/", {"name": "Web"})
    assert response.status_code == 400
    assert b"already has a project" in response.content


def test_settings_need_an_admin_and_say_why(web_client_for, organization, make_member):
    response = web_client_for(make_member(organization, "member")).get(f"/o/{organization.slug}/settings/")
    assert response.status_code == 403
    assert b"it needs admin or owner" in response.content


def test_settings_show_every_section_tab_and_save_the_name(web_client_for, organization, owner, captured_events):
    client = web_client_for(owner)
    body = client.get(f"/o/{organization.slug}/settings/").content.decode()
    assert 'data-section="general"' in body and 'aria-current="page"' in body
    assert client.post(f"/o/{organization.slug}/settings/", {"name": "Acme Inc"}).status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Acme Inc"
    assert "organization.updated" in [e.type for e in captured_events]


def test_an_empty_organization_name_is_not_saved(web_client_for, organization, owner):
    response = web_client_for(owner).post(f"/o/{organization.slug}/settings/", {"name": "  "})
    assert response.status_code == 400
    organization.refresh_from_db()
    assert organization.name == "Acme"


def test_an_admin_cannot_delete_the_organization(web_client_for, organization, make_member):
    client = web_client_for(make_member(organization, "admin"))
    body = client.get(f"/o/{organization.slug}/settings/").content.decode()
    assert "Delete organization" not in body
    response = client.post(f"/o/{organization.slug}/settings/", {"action": "delete", "confirm": organization.slug})
    assert response.status_code == 403 and b"it needs owner" in response.content
    assert Organization.objects.filter(pk=organization.pk).exists()


def test_deleting_an_organization_needs_its_slug_typed(web_client_for, organization, owner):
    client = web_client_for(owner)
    response = client.post(f"/o/{organization.slug}/settings/", {"action": "delete", "confirm": "wrong"})
    assert response.status_code == 400 and b"to confirm deletion" in response.content
    response = client.post(f"/o/{organization.slug}/settings/", {"action": "delete", "confirm": organization.slug})
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=organization.pk).exists()
