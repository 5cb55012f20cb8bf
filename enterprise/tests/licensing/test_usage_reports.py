"""Usage reports: daily hash-chained snapshots, the instance key, the signed report an admin sees
and downloads, and the vendor's offline tool that accepts it or refuses it with the reason."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from anneal_enterprise.licensing import clock, services
from anneal_enterprise.licensing.models import InstanceKey, UsageSnapshot
from anneal_enterprise.licensing.usage import instance_key, snapshots
from anneal_enterprise.licensing.usage.format import snapshot_hash
from anneal_enterprise.licensing.usage.reports import ReportRequest, build, render

pytestmark = pytest.mark.django_db
TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_usage_report.py"
PAGE = "/plugins/enterprise/license/usage-report/"
DAYS = [date(2026, 3, day) for day in range(1, 6)]


def at(day: date, hour: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def licensed(signer):
    services.install(signer.issue(license_id="lic_usage", licensee="Usage Corp", seats=3,
                                  starts_at=at(date(2026, 1, 1)), expires_at=at(date(2027, 1, 1))), source="cli")


@pytest.fixture
def chained(licensed, make_organization, make_member):
    """Snapshots of 1 to 5 March; the members grow from one to three on the 3rd."""
    organization = make_organization()
    for day in DAYS:
        if day == date(2026, 3, 3):
            make_member(organization, name="Ada Example", email="ada@example.com")
            make_member(organization)
        clock.set_now(at(day, 2))  # the snapshot of the day before ...
        assert snapshots.take() is not None
    clock.set_now(at(date(2026, 3, 6), 2))
    assert snapshots.take() is not None  # ... so this one is the 5th's
    return organization


def report_file(tmp_path: Path, first: date, last: date, *, names: bool = False, name: str = "report.json") -> Path:
    path = tmp_path / name
    path.write_text(render(build(ReportRequest(first, last, include_names=names))))
    return path


def vendor_tool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, timeout=60)


def test_snapshots_are_taken_once_a_day_and_chained(chained):
    rows = list(UsageSnapshot.objects.order_by("sequence"))
    assert [row.day for row in rows] == [date(2026, 2, 28), *DAYS]
    assert [row.document["seats_in_use"] for row in rows] == [1, 1, 3, 3, 3, 3]  # the 2nd is counted on the 3rd
    assert rows[0].document["previous_hash"] is None
    for before, after in zip(rows, rows[1:]):
        assert after.document["previous_hash"] == before.hash == snapshot_hash(before.document)
    assert snapshots.take() is None  # the same day again: nothing
    assert rows[-1].document["licenses"] == {"anneal": "lic_usage"}


def test_the_instance_key_is_generated_once_and_stored_encrypted(licensed, settings):
    first = instance_key.describe()
    assert instance_key.describe() == first and InstanceKey.objects.count() == 1
    row, private = instance_key.signing_key()
    from cryptography.hazmat.primitives import serialization
    import base64

    seed = base64.b64encode(private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption())).decode()
    assert seed not in row.encrypted_private_key and first["fingerprint"].startswith("SHA256:")
    settings.SECRET_KEY = "another secret key that is long enough to be a key"
    from core.secrets import SecretUnreadable

    with pytest.raises(SecretUnreadable):
        instance_key.signing_key()


def test_the_license_page_shows_the_instance_public_key_and_fingerprint(client, make_user, licensed):
    client.force_login(make_user(is_staff=True))
    html = client.get("/plugins/enterprise/license/").content.decode()
    described = instance_key.describe()
    assert described["fingerprint"] in html and described["public_key"] in html


def test_the_page_shows_exactly_the_file_that_the_download_delivers_and_records_it(
        client, make_user, chained, captured_events):
    client.force_login(make_user(is_staff=True))
    period = {"first_day": "2026-03-01", "last_day": "2026-03-05", "product": "anneal"}
    page = client.get(PAGE, period)
    assert not [e for e in captured_events if e.type == "license.usage_report_downloaded"]
    shown = page.context["content"]
    assert shown and shown.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;") in page.content.decode()
    download = client.post(PAGE, period)
    assert download["Content-Disposition"] == 'attachment; filename="usage-report-anneal-2026-03-01-2026-03-05.json"'
    assert download.content.decode() == shown
    (event,) = [e for e in captured_events if e.type == "license.usage_report_downloaded"]
    assert event.data["first_day"] == "2026-03-01" and event.data["includes_names"] is False


def test_a_report_holds_counts_only_unless_the_admin_includes_names(chained, tmp_path):
    counts_only = report_file(tmp_path, DAYS[0], DAYS[-1]).read_text()
    assert "ada@example.com" not in counts_only and "Ada Example" not in counts_only and "@" not in counts_only
    named = json.loads(report_file(tmp_path, DAYS[0], DAYS[-1], names=True, name="named.json").read_text())
    assert {"email": "ada@example.com", "name": "Ada Example"} in named["names"]["seat_holders"]


def test_the_api_returns_the_same_report(api_client_for, make_user, chained):
    response = api_client_for(make_user(is_staff=True)).post(
        "/api/v1/plugins/enterprise/license/usage-report/", {"first_day": "2026-03-01", "last_day": "2026-03-05"},
        format="json")
    assert response.status_code == 200, response.content
    assert response.json() == build(ReportRequest(DAYS[0], DAYS[-1]))


def test_a_report_without_a_license_or_snapshots_is_refused_with_the_reason(api_client_for, make_user, licensed):
    response = api_client_for(make_user(is_staff=True)).post(
        "/api/v1/plugins/enterprise/license/usage-report/", {"first_day": "2026-03-01", "last_day": "2026-03-05"},
        format="json")
    assert response.status_code == 400 and "No usage snapshot covers" in response.json()["detail"]


def test_the_vendor_tool_accepts_a_report_and_prints_the_true_up(chained, tmp_path):
    fingerprint = instance_key.describe()["fingerprint"]
    result = vendor_tool(report_file(tmp_path, DAYS[0], DAYS[-1]), "--license-id", "lic_usage",
                         "--fingerprint", fingerprint)
    assert result.returncode == 0, result.stderr
    assert "Accepted: usage report of Usage Corp for license lic_usage" in result.stdout
    assert "Seats licensed:      3" in result.stdout and "Seats (maximum):     3" in result.stdout
    assert "Days with a snapshot: 5" in result.stdout


def test_the_vendor_tool_accepts_a_report_that_continues_the_previous_one(chained, tmp_path):
    earlier = report_file(tmp_path, DAYS[0], DAYS[1], name="earlier.json")
    later = report_file(tmp_path, DAYS[2], DAYS[4], name="later.json")
    result = vendor_tool(later, "--previous", earlier)
    assert result.returncode == 0, result.stderr


def test_the_vendor_tool_refuses_a_hand_edited_report(chained, tmp_path):
    path = report_file(tmp_path, DAYS[0], DAYS[-1])
    report = json.loads(path.read_text())
    report["snapshots"][3]["seats_in_use"] = 1
    report["true_up"]["seats_max"] = 1
    path.write_text(json.dumps(report, indent=2))
    result = vendor_tool(path)
    assert result.returncode == 1
    assert "the report was changed after the instance signed it" in result.stderr


def test_the_vendor_tool_refuses_a_report_whose_chain_has_a_hole(chained, tmp_path):
    UsageSnapshot.objects.filter(day=DAYS[2]).delete()  # someone removed a day from the database
    result = vendor_tool(report_file(tmp_path, DAYS[0], DAYS[-1]))
    assert result.returncode == 1
    assert "Gap: after snapshot 3 (2026-03-02) comes snapshot 5 (2026-03-04); 1 snapshot missing." in result.stderr


def test_the_vendor_tool_refuses_a_gap_between_two_reports(chained, tmp_path):
    earlier = report_file(tmp_path, DAYS[0], DAYS[1], name="earlier.json")
    later = report_file(tmp_path, DAYS[3], DAYS[4], name="later.json")  # the 3rd is in neither
    result = vendor_tool(later, "--previous", earlier)
    assert result.returncode == 1 and "Gap between the reports" in result.stderr


def test_the_vendor_tool_refuses_another_license_or_another_instance(chained, tmp_path):
    path = report_file(tmp_path, DAYS[0], DAYS[-1])
    assert "bound to license 'lic_usage', not to 'lic_other'" in vendor_tool(path, "--license-id", "lic_other").stderr
    refused = vendor_tool(path, "--fingerprint", "SHA256:0000:0000:0000:0000:0000:0000:0000:0000")
    assert refused.returncode == 1 and "comes from another instance" in refused.stderr


def test_the_snapshot_job_is_scheduled():
    from core.jobs import app

    assert app.conf.beat_schedule["anneal-usage-snapshot"]["task"] == "anneal_licensing.take_usage_snapshot"
