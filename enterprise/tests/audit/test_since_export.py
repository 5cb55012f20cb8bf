"""An export (or a SIEM copy of streamed batches) carries the signed head, so whoever keeps it
can later prove that the log was cut back, even consistently, with ``--since-export``."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from anneal_enterprise.audit import export, offline, retention, sealing, signing, since_export
from anneal_enterprise.audit.query import Filters
from anneal_enterprise.audit.streaming import delivery, destinations
from core.services import projects

from .receivers import SyslogListener, WebhookReceiver
from .test_truncation import cut_the_tail, roll_back_to_instance_head

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def receivers_on_loopback_are_allowlisted(outbound_allow):
    """The SIEM receivers run on 127.0.0.1, which the outbound policy refuses unless allowlisted."""
    outbound_allow("127.0.0.1")


@pytest.fixture
def exported(organization, tmp_path):
    """Two sealed runs, then a JSON Lines export saved to a file, then a third run."""
    for run in range(2):
        projects.create_project(organization, f"Run {run}")
        sealing.seal()
    path = tmp_path / "export.jsonl"
    with path.open("w", encoding="utf-8") as out:
        export.write_jsonl(organization.pk, Filters(), out)
    projects.create_project(organization, "After the export")
    sealing.seal()
    return organization, path


def since(path) -> list:
    return since_export.verify_since(since_export.signed_heads(path.read_text()))


def test_an_export_carries_the_signed_head_and_still_verifies_offline(exported):
    organization, path = exported
    line = next(json.loads(line) for line in path.read_text().splitlines() if '"signed_head"' in line)
    head = line["signed_head"]

    assert head["organization_id"] == organization.pk
    assert head["checkpoint"]["sequence"] == 2 and head["instance_head"]["sequence"] == 2
    with path.open() as lines:
        report = offline.verify_export(lines, offline.load_public_keys(signing.public_keys_pem()))
    assert report.intact, report.summary()
    assert any("signed instance head 2" in note for note in report.notes)


def test_a_log_that_grew_after_the_export_still_holds_everything_it_proved(exported):
    organization, path = exported
    (report,) = since(path)

    assert report.intact, report.summary()
    assert "Still holds everything the export proved: checkpoint 2 and instance head 2" in report.notes[-1]


def test_a_consistent_rollback_to_before_the_export_is_proved_by_the_export(exported, tamper):
    organization, path = exported
    roll_back_to_instance_head(tamper, 1)
    from anneal_enterprise.audit import verify

    assert all(report.intact for report in verify.verify_all())  # the database alone cannot tell
    (report,) = since(path)
    assert not report.intact
    assert (report.problem.kind, report.problem.message) == (
        "truncated", "Instance head 2, which the export proved, is missing: the log was cut back to before the export.")


def test_a_rollback_to_before_the_export_then_new_records_sealed_is_proved_too(exported, tamper):
    organization, path = exported
    roll_back_to_instance_head(tamper, 1)
    projects.create_project(organization, "Rewritten history")
    sealing.seal()  # a new head 2, with other content

    (report,) = since(path)
    assert report.problem.kind == "instance"
    assert "Instance head 2 differs from the one the export proved" in report.problem.message


def test_cutting_the_tail_after_the_export_is_still_named(exported, tamper):
    organization, path = exported
    cut_the_tail(tamper, organization.pk)

    (report,) = since(path)
    assert (report.problem.kind, report.problem.checkpoint) == ("truncated", 3)


def test_records_removed_by_a_signed_purge_within_the_policy_are_not_a_loss(exported):
    organization, path = exported
    retention.set_retention(organization, "30")
    sealing.seal()
    assert retention.purge_expired(now=timezone.now() + timedelta(days=40))

    (report,) = since(path)
    assert report.intact, report.summary()


def test_a_forged_signed_head_is_refused(exported):
    organization, path = exported
    text = path.read_text().replace('"sequence": 2, "previous_hash"', '"sequence": 7, "previous_hash"')

    (report,) = since_export.verify_since(since_export.signed_heads(text))
    assert not report.intact
    assert "signed head" in report.problem.message


def test_anneal_audit_verify_since_export_exits_1_after_a_rollback(exported, tamper, tmp_path):
    organization, path = exported
    out = io.StringIO()
    call_command("audit", "verify", "--since-export", str(path), stdout=out)
    assert "Intact" in out.getvalue()

    roll_back_to_instance_head(tamper, 1)
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--since-export", str(path), stdout=out)
    assert "Instance head 2, which the export proved, is missing" in out.getvalue()


def test_a_file_without_a_signed_head_is_refused_with_a_reason(organization, tmp_path):
    path = tmp_path / "nothing.json"
    path.write_text('{"events": []}')

    with pytest.raises(CommandError, match="holds no signed head"):
        call_command("audit", "verify", "--since-export", str(path))


def test_each_streamed_batch_carries_the_signed_head_and_a_siem_copy_proves_a_rollback(organization, tamper,
                                                                                      tmp_path):
    receiver = WebhookReceiver().start()
    try:
        sealing.seal()
        destination, _ = destinations.create(organization, {"name": "SIEM", "kind": "webhook", "url": receiver.url})
        for run in range(2):
            projects.create_project(organization, f"Run {run}")
            sealing.seal()
        delivery.deliver(destination.pk)
    finally:
        receiver.stop()
    copy = tmp_path / "siem.json"
    copy.write_text("\n".join(json.dumps(batch["body"]) for batch in receiver.batches))
    head = receiver.events[-1]["anneal_signed_head"]
    assert head["checkpoint"]["last_record_id"] >= receiver.events[-1]["id"]
    assert since_export.verify_since(since_export.signed_heads(copy.read_text()))[0].intact

    roll_back_to_instance_head(tamper, 1)
    (report,) = since_export.verify_since(since_export.signed_heads(copy.read_text()))
    assert report.problem.kind == "truncated"
    assert "which the export proved, is missing" in report.problem.message


def test_the_verify_api_and_page_compare_with_an_export(exported, tamper, api_client_for, client):
    organization, path = exported
    head = next(json.loads(line) for line in path.read_text().splitlines() if '"signed_head"' in line)["signed_head"]
    owner = organization.memberships.get().user
    roll_back_to_instance_head(tamper, 1)
    url = f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/verify"

    assert api_client_for(owner).post(url).json()["intact"] is True  # without the export: consistent
    answer = api_client_for(owner).post(url, {"signed_head": head}, format="json").json()
    assert answer["intact"] is False and answer["problem"]["kind"] == "truncated"
    client.force_login(owner)
    with path.open("rb") as upload:
        page = client.post(f"/plugins/enterprise/audit/organizations/{organization.slug}/verify/",
                           {"since_export": upload}, follow=True)
    assert "which the export proved, is missing" in page.content.decode()


def test_a_syslog_copy_of_the_stream_proves_a_rollback_too(organization, tamper, tmp_path):
    listener = SyslogListener().start()
    try:
        sealing.seal()
        destination, _ = destinations.create(organization, {"name": "Syslog", "kind": "syslog", "host": "127.0.0.1",
                                                            "port": str(listener.port)})
        for run in range(2):
            projects.create_project(organization, f"Run {run} {{braces}} [brackets]")
            sealing.seal()
        delivery.deliver(destination.pk)
    finally:
        listener.stop()
    copy = tmp_path / "syslog.log"
    copy.write_text("\n".join(message.decode("utf-8") for message in listener.messages), encoding="utf-8")
    assert since_export.verify_since(since_export.signed_heads(copy.read_text(encoding="utf-8")))[0].intact

    roll_back_to_instance_head(tamper, 1)
    (report,) = since_export.verify_since(since_export.signed_heads(copy.read_text(encoding="utf-8")))
    assert report.problem.kind == "truncated"


@pytest.mark.parametrize("damage", [
    {"checkpoint": "not a checkpoint"},
    {"checkpoint": None, "instance_head": {"sequence": "x"}},
    {"instance_head": [1, 2], "checkpoint": None},
])
def test_a_damaged_signed_head_is_reported_not_a_server_error(exported, api_client_for, damage):
    organization, path = exported
    head = next(json.loads(line) for line in path.read_text().splitlines() if '"signed_head"' in line)["signed_head"]
    head.update(damage)

    answer = api_client_for(organization.memberships.get().user).post(
        f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/verify", {"signed_head": head},
        format="json")
    assert answer.status_code == 200
    assert answer.json()["intact"] is False
    assert "signed head" in answer.json()["problem"]["message"]


def test_a_signed_head_that_is_not_one_is_refused_by_the_api(exported, api_client_for):
    organization, _ = exported
    answer = api_client_for(organization.memberships.get().user).post(
        f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/verify",
        {"signed_head": {"format": "anneal-audit-head", "organization_id": [1]}}, format="json")
    assert answer.status_code == 400
