"""The download link of an audit export is built from ANNEAL_BASE_URL, not the Host header."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_export_download_link_uses_the_base_url(organization, settings, tmp_path, api_client_for,
                                                    jobs_in_process, django_capture_on_commit_callbacks):
    from core.models import User

    settings.ANNEAL_AUDIT_EXPORT_DIR = str(tmp_path)
    settings.ALLOWED_HOSTS = ["evil.example", "testserver"]
    settings.BASE_URL = "https://anneal.example.com"
    client = api_client_for(User.objects.get(email="owner@example.com"))
    url = f"/api/v1/plugins/enterprise/audit/organizations/{organization.slug}/exports"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(url, {"format": "jsonl"}, format="json", HTTP_HOST="evil.example")
    assert started.status_code == 202, started.content
    job = client.get(f"{url}/{started.json()['id']}", HTTP_HOST="evil.example").json()
    assert job["status"] == "done"
    assert job["download"] == f"https://anneal.example.com{url}/{job['id']}/file"
