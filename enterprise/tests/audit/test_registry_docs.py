"""The event-types page and the SIEM mappings are generated from the one event registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from anneal_enterprise.audit import siem
from anneal_enterprise.audit.docs import event_types_page
from core.events import registry

PAGE = Path(__file__).resolve().parents[3] / "docs" / "enterprise" / "audit-events.md"


def test_the_event_types_page_is_current():
    assert PAGE.read_text() == event_types_page(), (
        "docs/enterprise/audit-events.md is stale: run `anneal audit docs > docs/enterprise/audit-events.md`.")


def test_every_registered_event_type_is_documented_and_mapped():
    page = event_types_page()
    for name in registry.event_types():
        assert f"`{name}`" in page
    assert {m.event_type for m in siem.mappings()} == set(registry.event_types())


def test_ocsf_classes_follow_the_category():
    by_type = {m.event_type: m for m in siem.mappings()}
    assert by_type["user.signed_in"].ocsf_class_uid == 3002
    assert by_type["user.password_changed"].ocsf_class_uid == 3001
    assert by_type["membership.role_changed"].ocsf_class_uid == 3005
    assert by_type["project.created"].ocsf_class_uid == 6003


@pytest.mark.django_db
def test_cef_escapes_pipes_backslashes_and_equals():
    event = {"action": "project.created", "occurred_at": "2026-01-01T00:00:00.000000+00:00", "event_id": "e1",
             "organization_id": 1, "actor": {"kind": "user", "id": "7", "display": "a|b=c\\d"}, "ip": None,
             "user_agent": "", "target": {"type": "project", "id": "9", "display": "x"}}

    line = siem.cef(event)
    assert line.startswith("CEF:0|Anneal|Anneal|1|project.created|A project was created.|3|")
    assert "suser=a|b\\=c\\\\d" in line


def test_ocsf_event_carries_uid_and_class():
    event = {"action": "user.signed_in", "occurred_at": "t", "event_id": "e1", "organization_id": None,
             "actor": {"kind": "user", "id": "7", "display": "a"}, "ip": "1.2.3.4", "user_agent": "ua",
             "target": None, "diff": {}, "data": {}}
    mapped = siem.ocsf(event)
    assert (mapped["class_uid"], mapped["category_uid"], mapped["metadata"]["uid"]) == (3002, 3, "e1")
