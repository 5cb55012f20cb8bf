"""Bundles through the REST API (built by the background job) and the `anneal support` command."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from conftest import wait_for

API = "/api/v1/plugins/enterprise/support"


def test_the_api_builds_a_bundle_in_the_background_then_previews_and_downloads_it(
        staff_user, api_client_for, support_licensed, bundle_worker, captured_events):
    client = api_client_for(staff_user)
    listed = client.get(f"{API}/collectors/").json()
    assert {"id": "counts", "plugin": "core.builtin.diagnostics", "default": True} .items() <= \
        next(c for c in listed if c["id"] == "counts").items()
    response = client.post(f"{API}/bundles/", {"collectors": ["versions", "counts"]}, format="json")
    assert response.status_code == 202, response.content
    bundle_id = response.json()["id"]
    ready = wait_for(lambda: (b := client.get(f"{API}/bundles/{bundle_id}/").json())["status"] in ("ready", "failed")
                     and b, timeout=60)
    assert ready["status"] == "ready" and ready["progress"] == 100
    preview = client.get(f"{API}/bundles/{bundle_id}/preview/").json()
    assert set(preview["files"]) == {"manifest.json", "versions.json", "counts.json"}
    download = client.get(f"{API}/bundles/{bundle_id}/download/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert archive.read("counts.json").decode() == preview["files"]["counts.json"]
    support = [e for e in captured_events if e.type.startswith("support.")]
    assert [e.type for e in support] == ["support.bundle_created", "support.bundle_downloaded"]
    assert support[0].actor.user_id == staff_user.pk
    assert client.delete(f"{API}/bundles/{bundle_id}/").status_code == 204


def test_bundles_need_staff_and_the_support_feature(db, make_user, staff_user, api_client_for, anneal_plugin):
    assert api_client_for(make_user()).get(f"{API}/bundles/").status_code == 403
    response = api_client_for(staff_user).post(f"{API}/bundles/", {}, format="json")
    assert response.status_code == 403
    assert "support feature" in response.json()["detail"]


def test_a_bad_request_says_what_is_wrong(db, staff_user, api_client_for, support_licensed):
    client = api_client_for(staff_user)
    response = client.post(f"{API}/bundles/", {"collectors": ["nope"]}, format="json")
    assert response.status_code == 400 and "Unknown collector" in response.json()["detail"]
    response = client.post(f"{API}/bundles/", {"collectors": "versions", "recipients": 5}, format="json")
    assert response.status_code == 400


def test_the_command_writes_a_bundle_with_a_progress_bar(transactional_db, support_licensed, tmp_path, capsys):
    output = tmp_path / "bundle.zip"
    call_command("support", "bundle", "-c", "versions", "-c", "health", "-o", str(output))
    captured = capsys.readouterr()
    assert "100% ready" in captured.err and "[" + "#" * 30 + "]" in captured.err
    assert f"Wrote {output}" in captured.out
    with zipfile.ZipFile(output) as archive:
        assert sorted(archive.namelist()) == ["health.json", "manifest.json", "versions.json"]


def test_the_command_lists_collectors_and_refuses_without_the_feature(db, capsys):
    call_command("support", "collectors")
    assert "recent_logs      opt-in" in capsys.readouterr().out
    with pytest.raises(CommandError, match="support feature"):
        call_command("support", "bundle", "-o", str(Path("never-written.zip")))
