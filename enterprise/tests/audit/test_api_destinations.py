"""The audit page's settings through the REST API: streaming destinations and retention."""

from __future__ import annotations

import pytest

from anneal_enterprise.audit.models import AuditDestination, AuditPolicy, AuditRecord

pytestmark = pytest.mark.django_db
BASE = "/api/v1/plugins/enterprise/audit/organizations/{}"


@pytest.fixture
def api(organization, api_client_for):
    return api_client_for(organization.memberships.get().user)


def test_an_admin_adds_lists_and_removes_a_webhook_destination(organization, api):
    url = BASE.format(organization.slug) + "/destinations"
    created = api.post(url, {"name": "SIEM", "kind": "webhook", "url": "https://siem.example.com/hook",
                             "event_types": ["project.created"]}, format="json")
    assert created.status_code == 201 and len(created.json()["secret"]) > 20
    assert [d["name"] for d in api.get(url).json()] == ["SIEM"]
    assert api.delete(f"{url}/{created.json()['id']}").status_code == 204
    assert not AuditDestination.objects.exists()
    assert AuditRecord.objects.filter(type__in=["audit.destination.created", "audit.destination.deleted"]).count() == 2


@pytest.mark.parametrize("body,code", [
    ({"name": "x", "kind": "webhook", "url": "http://siem.example.com/"}, "invalid"),  # the web form's rule
    ({"name": "x", "kind": "syslog", "host": "siem.example.com", "port": 70000}, "invalid"),
    ({"name": 5, "kind": "webhook", "url": "https://siem.example.com/"}, "invalid"),
    ({"name": "x", "kind": "ftp"}, "invalid"),
])
def test_invalid_destinations_are_refused_with_the_web_forms_validation(organization, api, body, code):
    response = api.post(BASE.format(organization.slug) + "/destinations", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert not AuditDestination.objects.exists()


def test_an_admin_sets_and_clears_retention(organization, api):
    url = BASE.format(organization.slug) + "/retention"
    assert api.get(url).json() == {"retention_days": None}
    assert api.put(url, {"retention_days": 90}, format="json").json() == {"retention_days": 90}
    assert AuditPolicy.objects.get().retention_days == 90
    assert api.put(url, {"retention_days": None}, format="json").json() == {"retention_days": None}
    assert api.put(url, {"retention_days": 0}, format="json").status_code == 400
    assert api.put(url, {"retention_days": "90"}, format="json").status_code == 400  # a string is not a number


def test_a_viewer_cannot_read_or_change_the_settings(organization, make_member, api_client_for):
    viewer = api_client_for(make_member(organization, "viewer"))
    assert viewer.get(BASE.format(organization.slug) + "/destinations").status_code == 403
    assert viewer.put(BASE.format(organization.slug) + "/retention", {"retention_days": 1},
                      format="json").status_code == 403


def test_after_the_license_lapsed_nothing_new_can_be_configured(organization, api, read_only):
    response = api.post(BASE.format(organization.slug) + "/destinations",
                        {"name": "SIEM", "kind": "webhook", "url": "https://siem.example.com/hook"}, format="json")
    assert response.status_code == 403 and not AuditDestination.objects.exists()
