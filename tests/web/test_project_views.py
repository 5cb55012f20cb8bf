"""A project's page: who may edit and delete, and what bad input does."""

import pytest

from core.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization):
    return Project.objects.create(organization=organization, name="Web", slug="web", description="Shop")


def url(project) -> str:
    return f"/o/{project.organization.slug}/p/{project.slug}/"


def test_a_viewer_reads_the_project_without_edit_or_delete_controls(web_client_for, project, make_member):
    client = web_client_for(make_member(project.organization, "viewer"))
    body = client.get(url(project)).content.decode()
    assert "Shop" in body and "Edit project" not in body and "Delete project" not in body
    response = client.post(url(project), {"name": "Renamed"})
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name == "Web"


def test_a_member_edits_but_cannot_delete(web_client_for, project, make_member, captured_events):
    client = web_client_for(make_member(project.organization, "member"))
    body = client.get(url(project)).content.decode()
    assert "Edit project" in body and "Delete project" not in body
    assert client.post(url(project), {"name": "Web shop", "description": "New"}).status_code == 302
    project.refresh_from_db()
    assert (project.name, project.description) == ("Web shop", "New")
    assert "project.updated" in [e.type for e in captured_events]
    response = client.post(url(project), {"action": "delete"})
    assert response.status_code == 403 and b"it needs admin or owner" in response.content
    assert Project.objects.filter(pk=project.pk).exists()


def test_an_admin_deletes_the_project(web_client_for, project, make_member, captured_events):
    response = web_client_for(make_member(project.organization, "admin")).post(url(project), {"action": "delete"})
    assert response["Location"] == f"/o/{project.organization.slug}/"
    assert not Project.objects.filter(pk=project.pk).exists()
    assert "project.deleted" in [e.type for e in captured_events]


def test_an_empty_project_name_is_refused(web_client_for, project, owner):
    response = web_client_for(owner).post(url(project), {"name": "", "description": "x"})
    assert response.status_code == 400 and b"A project needs a name." in response.content
    project.refresh_from_db()
    assert project.name == "Web"


def test_an_unknown_project_is_404_with_a_clear_message(web_client_for, organization, owner):
    response = web_client_for(owner).get(f"/o/{organization.slug}/p/nope/")
    assert response.status_code == 404
    assert b"No such project in this organization." in response.content


def test_a_project_of_another_organization_is_not_reachable_through_yours(web_client_for, organization, owner,
                                                                           make_organization):
    other = make_organization()
    Project.objects.create(organization=other, name="Secret", slug="secret")
    assert web_client_for(owner).get(f"/o/{organization.slug}/p/secret/").status_code == 404


def test_html_in_a_project_description_is_shown_as_text(web_client_for, organization, owner):
    Project.objects.create(organization=organization, name="<b>x</b>", slug="x",
                           description="<script>alert(1)</script>")
    body = web_client_for(owner).get(f"/o/{organization.slug}/p/x/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
