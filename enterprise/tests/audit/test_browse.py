"""Browsing and filtering: the REST API with keyset cursors and the web page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anneal_enterprise.audit.models import AuditRecord
from core.services import projects

pytestmark = pytest.mark.django_db

URL = "/api/v1/plugins/enterprise/audit/organizations/{}/records"


@pytest.fixture
def owner(organization):
    return organization.memberships.get().user


@pytest.fixture
def api(owner, api_client_for):
    return api_client_for(owner)


@pytest.fixture
def many(organization):
    for number in range(12):
        project = projects.create_project(organization, f"P{number}")
        if number % 3 == 0:
            projects.update_project(project, description="changed")
    return organization


def test_records_come_newest_first_with_a_cursor_that_walks_every_record_once(many, api):
    seen, cursor = [], None
    while True:
        response = api.get(URL.format(many.slug), {"page_size": 5, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        seen += [r["id"] for r in response.json()["results"]]
        cursor = response.json()["next"]
        if not cursor:
            break

    assert seen == list(AuditRecord.objects.filter(organization_id=many.pk).order_by("-id").values_list("id", flat=True))


def test_filters_by_action_actor_target_and_time(many, api, owner):
    project = many.projects.get(slug="p3")

    by_action = api.get(URL.format(many.slug), {"action": "project.updated"}).json()["results"]
    by_prefix = api.get(URL.format(many.slug), {"action": "project.*"}).json()["results"]
    by_target = api.get(URL.format(many.slug), {"target_type": "project", "target_id": project.pk}).json()["results"]
    by_future = api.get(URL.format(many.slug), {"since": "2999-01-01"}).json()["results"]

    assert len(by_action) == 4 and {r["action"] for r in by_action} == {"project.updated"}
    assert len(by_prefix) == 16
    assert [r["action"] for r in by_target] == ["project.updated", "project.created"]
    assert by_future == []


def test_a_record_shows_actor_target_diff_and_severity(many, api):
    record = api.get(URL.format(many.slug), {"action": "project.updated"}).json()["results"][0]

    assert record["diff"] == {"description": ["", "changed"]}
    assert record["category"] == "project" and record["severity"] == "info"
    assert record["target"]["type"] == "project"
    assert record["actor"]["kind"] == "system"


@pytest.mark.parametrize("params, message", [
    ({"cursor": "not-a-cursor"}, "cursor is not valid"),
    ({"action": "no.such.event"}, "Unknown action"),
    ({"since": "last tuesday"}, "since must be a date"),
    ({"page_size": "100000"}, "from 1 to"),
])
def test_bad_filters_and_cursors_are_refused_with_a_reason(many, api, params, message):
    response = api.get(URL.format(many.slug), params)

    assert response.status_code == 400
    assert message in str(response.json())


def test_members_without_admin_rights_cannot_read_the_audit_log(many, make_member, api_client_for):
    member = make_member(many, "member")

    response = api_client_for(member).get(URL.format(many.slug))
    assert response.status_code == 403


def test_a_non_member_gets_404(many, make_user, api_client_for):
    assert api_client_for(make_user()).get(URL.format(many.slug)).status_code == 404


def test_without_the_feature_the_api_says_it_is_not_licensed(many, api, audit_license):
    audit_license.enabled = False

    response = api.get(URL.format(many.slug))
    assert response.status_code == 403
    assert "not included in this instance's license" in response.json()["detail"]


def test_after_the_license_lapsed_records_stay_readable_and_verifiable(many, api, read_only):
    assert len(api.get(URL.format(many.slug)).json()["results"]) > 0
    response = api.post(f"/api/v1/plugins/enterprise/audit/organizations/{many.slug}/verify")
    assert response.status_code == 200 and response.json()["intact"]


def test_the_page_query_count_does_not_grow_with_the_page_size(many, api):
    api.get(URL.format(many.slug))  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as small:
        api.get(URL.format(many.slug), {"page_size": 2})
    with CaptureQueriesContext(connection) as large:
        api.get(URL.format(many.slug), {"page_size": 20})

    def per_request(queries: CaptureQueriesContext) -> list[str]:  # without the once-a-second version polls
        return [q["sql"] for q in queries.captured_queries
                if "licensestate" not in q["sql"] and "core_sharedversion" not in q["sql"]]

    assert len(per_request(small)) == len(per_request(large))


def test_the_web_page_lists_and_filters_records(many, client, owner):
    client.force_login(owner)

    page = client.get(f"/plugins/enterprise/audit/organizations/{many.slug}/", {"action": "project.updated"})
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-record="') == 4
    assert "description" in html and "changed" in html


def test_the_web_page_pages_with_an_older_records_link(many, client, owner):
    client.force_login(owner)
    html = client.get(f"/plugins/enterprise/audit/organizations/{many.slug}/", {"page_size": 5}).content.decode()
    assert html.count('data-record="') == 5
    assert "Older records" in html and "cursor=" in html


def test_the_organization_navigation_links_to_the_audit_log(many, client, owner):
    client.force_login(owner)
    html = client.get(f"/o/{many.slug}/").content.decode()
    assert f"/plugins/enterprise/audit/organizations/{many.slug}/" in html


def test_without_the_feature_the_page_shows_the_upgrade_prompt_with_status_200(many, client, owner, audit_license):
    audit_license.enabled = False
    client.force_login(owner)

    page = client.get(f"/plugins/enterprise/audit/organizations/{many.slug}/")
    assert page.status_code == 200  # like every other upgrade prompt; an action is still refused with 403
    assert 'class="feature-unavailable"' in page.content.decode() or 'data-plugin=' in page.content.decode()


def test_the_verify_button_reports_intact(many, client, owner):
    from anneal_enterprise.audit import sealing

    sealing.seal()
    client.force_login(owner)
    page = client.post(f"/plugins/enterprise/audit/organizations/{many.slug}/verify/", follow=True)
    assert "Intact" in page.content.decode()


def test_admins_add_a_destination_and_set_retention_from_the_page(many, client, owner):
    from anneal_enterprise.audit.models import AuditDestination, AuditPolicy

    client.force_login(owner)
    base = f"/plugins/enterprise/audit/organizations/{many.slug}"
    added = client.post(f"{base}/destinations/", {"name": "SIEM", "kind": "webhook",
                                                   "url": "https://siem.example.com/hook"}, follow=True)
    client.post(f"{base}/retention/", {"retention_days": "90"})

    assert "signing secret (shown once)" in added.content.decode()
    assert AuditDestination.objects.get().name == "SIEM"
    assert AuditPolicy.objects.get().retention_days == 90
    assert AuditRecord.objects.filter(type__in=["audit.destination.created", "audit.retention.changed"]).count() == 2


def test_after_the_license_lapsed_nothing_new_can_be_configured(many, client, owner, read_only):
    from anneal_enterprise.audit.models import AuditDestination

    client.force_login(owner)
    base = f"/plugins/enterprise/audit/organizations/{many.slug}"
    page = client.get(f"{base}/").content.decode()
    refused = client.post(f"{base}/destinations/", {"name": "SIEM", "kind": "webhook",
                                                     "url": "https://siem.example.com/hook"}, follow=True)

    assert "Add destination" not in page and "existing records stay readable" in page
    assert "nothing new can be configured" in refused.content.decode()
    assert not AuditDestination.objects.exists()


def test_staff_browse_instance_wide_events_and_deleted_organizations(many, api_client_for, make_user, client):
    from core.events import Target, emit
    from core.services.organizations import delete_organization

    emit("user.signed_out", target=Target("user", "1"))
    organization_id = many.pk
    delete_organization(many)
    staff = make_user(is_staff=True)
    api = api_client_for(staff)

    instance = api.get("/api/v1/plugins/enterprise/audit/records", {"organization": "instance"}).json()["results"]
    deleted = api.get("/api/v1/plugins/enterprise/audit/records", {"organization": organization_id,
                                                                   "action": "organization.deleted"}).json()["results"]
    assert "user.signed_out" in [r["action"] for r in instance]
    assert all(r["organization_id"] is None for r in instance)
    assert len(deleted) == 1
    client.force_login(staff)
    html = client.get("/plugins/enterprise/audit/integrity/", {"organization": "instance"}).content.decode()
    assert "user.signed_out" in html


def test_non_staff_cannot_browse_across_organizations(many, api, owner):
    assert api.get("/api/v1/plugins/enterprise/audit/records", {"organization": many.pk}).status_code == 403
