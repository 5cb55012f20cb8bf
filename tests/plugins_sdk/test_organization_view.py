"""``core.plugins.web.organization_view`` behaves as docs/plugins/writing-plugins.md says."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path

from core import access
from core.plugins.web import organization_view
from core.roles import Permission
from core.urls import urlpatterns as core_urlpatterns

pytestmark = pytest.mark.django_db


@organization_view()
def numbered_page(request: HttpRequest, number: int) -> HttpResponse:
    return HttpResponse(f"{request.organization.slug} {request.role.value} {number}")


@organization_view()
def managers_only_inside(request: HttpRequest) -> HttpResponse:
    access.require(request.user, request.organization, Permission.MANAGE)
    return HttpResponse("managed")


@organization_view(Permission.OWN)
def owners_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("owned")


urlpatterns = [
    path("decorated/<slug:slug>/n/<int:number>/", numbered_page),
    path("decorated/<slug:slug>/inside/", managers_only_inside),
    path("decorated/<slug:slug>/owners/", owners_only),
    *core_urlpatterns,
]

pytestmark = [pytestmark, pytest.mark.usefixtures("decorated_urls")]


@pytest.fixture
def decorated_urls() -> Any:
    with override_settings(ROOT_URLCONF=__name__):
        yield


@pytest.fixture
def organization(make_organization: Any) -> Any:
    return make_organization("Acme")


def test_the_slug_is_consumed_and_the_view_gets_the_other_url_arguments(organization, make_member, client):
    client.force_login(make_member(organization, "member"))
    response = client.get(f"/decorated/{organization.slug}/n/7/")
    assert response.status_code == 200
    assert response.content.decode() == f"{organization.slug} member 7"


def test_a_non_member_gets_404_and_learns_nothing(organization, make_user, client):
    client.force_login(make_user())
    assert client.get(f"/decorated/{organization.slug}/n/7/").status_code == 404
    assert client.get("/decorated/no-such-org/n/7/").status_code == 404


def test_a_role_below_the_permission_gets_the_403_page_with_the_reason(organization, make_member, client):
    client.force_login(make_member(organization, "admin"))
    response = client.get(f"/decorated/{organization.slug}/owners/")
    assert response.status_code == 403
    assert "owner" in response.content.decode().lower()


def test_not_allowed_raised_by_the_view_is_the_same_403_page(organization, make_member, client):
    client.force_login(make_member(organization, "member"))
    response = client.get(f"/decorated/{organization.slug}/inside/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode() or "not allowed" in response.content.decode().lower()
    client.force_login(make_member(organization, "admin"))
    assert client.get(f"/decorated/{organization.slug}/inside/").content == b"managed"


def test_a_signed_out_browser_is_sent_to_sign_in_and_back(organization, client):
    response = client.get(f"/decorated/{organization.slug}/n/7/")
    assert response.status_code == 302
    assert f"next=/decorated/{organization.slug}/n/7/" in response["Location"]
