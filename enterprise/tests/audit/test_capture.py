"""Every event from the core's hook becomes an audit record, only while the feature is licensed."""

from __future__ import annotations

import json

import pytest

from anneal_enterprise.audit.models import AuditRecord
from core.events import Target, emit
from core.events.context import actor_context
from core.events.types import Actor
from core.models import Organization
from core.services import organizations, projects

pytestmark = pytest.mark.django_db


def test_a_service_change_is_recorded_with_actor_target_and_diff(organization):
    project = projects.create_project(organization, "Website")
    projects.update_project(project, description="New text")

    record = AuditRecord.objects.filter(type="project.updated").get()
    assert record.organization_id == organization.pk
    assert (record.target_type, record.target_id, record.target_display) == ("project", str(project.pk), "website")
    assert record.diff == {"description": ["", "New text"]}
    assert record.actor_kind == "system"


def test_actor_ip_user_agent_and_request_id_come_from_the_api_request(organization, api_client_for):
    owner = organization.memberships.get().user
    client = api_client_for(owner)
    response = client.post(f"/api/v1/organizations/{organization.slug}/projects/", {"name": "Docs"},
                           HTTP_USER_AGENT="audit-test/1.0", HTTP_X_REQUEST_ID="req-12345678", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 201, response.content

    record = AuditRecord.objects.get(type="project.created")
    assert record.actor_kind == "token"
    assert record.actor_id == str(owner.pk)
    assert record.user_agent == "audit-test/1.0"
    assert record.request_id == "req-12345678"
    assert record.ip == "10.1.2.3"


@pytest.mark.parametrize("kind", ["user", "token", "scim", "support", "system"])
def test_every_actor_kind_is_recorded(organization, kind):
    with actor_context(Actor(kind=kind, id=f"{kind}-1", display=f"The {kind}")):
        emit("project.created", organization=organization, target=Target("project", "1", "x"))

    record = AuditRecord.objects.filter(type="project.created").get()
    assert (record.actor_kind, record.actor_id, record.actor_display) == (kind, f"{kind}-1", f"The {kind}")


def test_secrets_are_removed_from_the_diff_and_the_data(organization):
    emit("token.created", organization=organization, target=Target("token", "9"),
         before={"password": "old"}, after={"password": "hunter2", "name": "ci"},
         data={"token": "anl_secret", "nested": {"client_secret": "s3", "label": "kept"}})

    details = AuditRecord.objects.get(type="token.created").details
    assert "hunter2" not in details and "anl_secret" not in details and "s3" not in details
    parsed = json.loads(details)
    assert parsed["diff"]["password"] == ["[redacted]", "[redacted]"]
    assert parsed["data"]["nested"]["label"] == "kept"


def test_nothing_is_recorded_without_the_audit_log_feature(make_user):
    organizations.create_organization(make_user(), "Unlicensed")

    assert not AuditRecord.objects.exists()


def test_nothing_new_is_recorded_once_the_license_lapsed(organization, read_only):
    before = AuditRecord.objects.count()
    projects.create_project(organization, "After expiry")

    assert AuditRecord.objects.count() == before


def test_deleting_an_organization_keeps_its_audit_trail(organization):
    organization_id = organization.pk
    projects.create_project(organization, "Website")
    organizations.delete_organization(organization)

    assert not Organization.objects.filter(pk=organization_id).exists()
    types = list(AuditRecord.objects.filter(organization_id=organization_id).order_by("id").values_list("type", flat=True))
    assert types[-1] == "organization.deleted"
    assert "project.created" in types


def test_instance_wide_events_are_recorded_without_an_organization(audit_license):
    emit("user.signed_out", target=Target("user", "1"))

    assert AuditRecord.objects.get(type="user.signed_out").organization_id is None


def test_events_registered_by_plugins_are_recorded(organization, anneal_plugin):
    from core.plugins import hookimpl
    from core.plugins.types import EventType

    class Prompts:
        @hookimpl
        def anneal_event_types(self):
            return [EventType("prompt.published", "A prompt was published.", "prompt")]

    anneal_plugin(Prompts(), name="test-prompts")
    emit("prompt.published", organization=organization, target=Target("prompt", "7"))

    assert AuditRecord.objects.filter(type="prompt.published").exists()
