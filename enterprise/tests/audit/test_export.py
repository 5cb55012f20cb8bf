"""Exports run as background jobs with progress; a JSON Lines export verifies offline."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

from anneal_enterprise.audit import export, offline, sealing, signing
from anneal_enterprise.audit.models import AuditExport
from anneal_enterprise.audit.query import Filters, parse_filters
from core.services import projects

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(organization, settings, tmp_path):
    settings.ANNEAL_AUDIT_EXPORT_DIR = str(tmp_path)
    for number in range(6):
        project = projects.create_project(organization, f"Project {number}")
        projects.update_project(project, description=f"Änderung {number} | with = signs")
    sealing.seal()
    return organization


def export_text(organization, filters=Filters()) -> str:
    out = io.StringIO()
    export.write_jsonl(organization.pk, filters, out)
    return out.getvalue()


def keys():
    return offline.load_public_keys(signing.public_keys_pem())


def test_an_export_job_runs_in_the_background_and_reports_progress(history, make_user, jobs_in_process,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export.request_export(history, make_user(), "jsonl", Filters())
    job.refresh_from_db()

    assert job.status == "done"
    assert job.progress == 100
    # organization and membership created, 6 projects created, 6 updated, and the export request itself
    assert job.done == job.total == 15
    assert export.file_path(job).read_text().count('"record"') == 15


def test_a_json_lines_export_verifies_offline_with_the_public_key(history):
    report = offline.verify_export(io.StringIO(export_text(history)), keys())

    assert report.intact, report.summary()
    assert report.records == 14


def test_a_filtered_export_still_verifies_because_left_out_records_keep_their_hashes(history):
    text = export_text(history, parse_filters({"action": "project.updated"}))

    assert text.count('"record"') == 6
    assert offline.verify_export(io.StringIO(text), keys()).intact


def test_an_export_of_a_later_range_starts_from_the_chain_before_it(history):
    from anneal_enterprise.audit.models import AuditRecord

    middle = AuditRecord.objects.order_by("id")[7].occurred_at
    text = export_text(history, Filters(since=middle))

    assert offline.verify_export(io.StringIO(text), keys()).intact


def change_a_description(lines: list[str]) -> None:
    index = next(i for i, line in enumerate(lines) if "Änderung 2" in line)
    lines[index] = lines[index].replace("Änderung 2", "Änderung 3")


def remove_a_record(lines: list[str]) -> None:
    lines.pop(next(i for i, line in enumerate(lines) if "Änderung 2" in line))


@pytest.mark.parametrize("edit, kind", [(change_a_description, "changed"), (remove_a_record, "removed")])
def test_an_edited_export_fails_offline_verification(history, edit, kind):
    lines = export_text(history).splitlines(keepends=True)
    edit(lines)

    report = offline.verify_export(io.StringIO("".join(lines)), keys())
    assert not report.intact
    assert report.problem.kind == kind


def test_an_export_checked_with_another_key_fails(history):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = offline.load_public_keys(signing.public_pem(Ed25519PrivateKey.generate().public_key()))
    report = offline.verify_export(io.StringIO(export_text(history)), other)

    assert report.problem.kind == "checkpoint"
    assert "not among the public keys" in report.problem.message


def test_something_that_is_not_an_export_is_refused_with_a_reason(history):
    with pytest.raises(offline.ExportUnreadable, match="not an Anneal audit export"):
        offline.verify_export(io.StringIO("id,action\n1,x\n"), keys())


def test_the_offline_verifier_runs_without_django_or_a_database(history, tmp_path):
    (tmp_path / "export.jsonl").write_text(export_text(history))
    (tmp_path / "key.pem").write_text(signing.public_keys_pem())
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(__import__("pathlib").Path(offline.__file__).parents[2])}

    result = subprocess.run([sys.executable, "-m", "anneal_enterprise.audit.offline", str(tmp_path / "export.jsonl"),
                             "--public-key", str(tmp_path / "key.pem")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Intact")


def test_a_csv_export_holds_the_filtered_records(history, make_user, jobs_in_process,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = export.request_export(history, make_user(), "csv", parse_filters({"action": "project.created"}))
    job.refresh_from_db()

    rows = list(csv.DictReader(io.StringIO(export.file_path(job).read_text())))
    assert len(rows) == 6
    assert {row["action"] for row in rows} == {"project.created"}
    assert json.loads(rows[0]["diff"])["name"][1] == "Project 0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)", rows[0]["occurred_at"])  # exact UTC ISO


def test_an_unknown_export_format_is_refused(history, make_user):
    with pytest.raises(export.ExportRefused):
        export.request_export(history, make_user(), "xlsx", Filters())
    assert not AuditExport.objects.exists()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_the_export_and_the_api_reports_progress_until_the_download(
        organization, settings, tmp_path, api_client_for, celery_worker_process):
    from conftest import wait_for

    settings.ANNEAL_AUDIT_EXPORT_DIR = str(tmp_path)  # the worker uses the default: check through the API
    for number in range(3):
        projects.create_project(organization, f"Project {number}")
    sealing.seal()
    api = api_client_for(organization.memberships.get().user)
    base = f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/exports"

    started = api.post(base, {"format": "jsonl"}, format="json")
    assert started.status_code == 202, started.content
    status = wait_for(lambda: (lambda s: s if s["status"] in {"done", "failed"} else None)(
        api.get(f"{base}/{started.json()['id']}").json()), timeout=30)
    assert status["status"] == "done" and status["progress"] == 100
    assert status["total"] == 6  # organization, membership, 3 projects, the export request
