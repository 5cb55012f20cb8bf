"""The enterprise pages show times only through ``|when``: no raw ISO or "Until 2026-12-02 05:45" text."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

RAW_TIME = re.compile(r"\d{4}-\d{2}-\d{2}")


def visible_text(html: str) -> str:
    html = re.sub(r"<script\b.*?</script>|<textarea\b.*?</textarea>", "", html, flags=re.S)
    html = re.sub(r"<option\b.*?</option>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_license_audit_support_and_sso_pages_print_no_raw_time(settings, make_user, make_organization):
    from anneal_enterprise.licensing.testing import licensed
    from anneal_enterprise.support import access, bundles
    from core.services import projects
    from core.services.users import create_user

    staff = create_user("staff@example.com", "correct horse battery", is_staff=True)
    with licensed(settings, features=["sso", "audit_log", "support"], licensee="Example Corp"):
        organization = make_organization(owner=staff)
        projects.create_project(organization, "Rocket")
        access.create_grant(organization, staff, "Ticket 4711", hours=4)
        bundle = bundles.build_bundle(bundles.create_bundle(None, ["versions"], enqueue=False).pk)
        client = Client()
        client.force_login(staff)
        pages = {
            "license": "/plugins/enterprise/license/",
            "audit": f"/plugins/enterprise/audit/organizations/{organization.slug}/",
            "instance audit": "/plugins/enterprise/audit/instance/",
            "support access": f"/plugins/enterprise/support/o/{organization.slug}/access/",
            "bundles": "/plugins/enterprise/support/bundles/",
            "bundle": f"/plugins/enterprise/support/bundles/{bundle.pk}/",
            "sso": f"/plugins/enterprise/sso/o/{organization.slug}/settings/",
            "organization": f"/o/{organization.slug}/",
        }
        for name, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, name
            html = response.content.decode()
            if name not in ("sso",):
                assert "<time datetime=" in html, name
            if name == "bundle":  # the preview shows the files exactly as the archive holds them
                html = re.sub(r"<pre>.*?</pre>", "", html, flags=re.S)
            text = visible_text(html)
            assert RAW_TIME.findall(text) == [], (name, [text[max(0, m.start() - 80):m.end() + 20] for m in RAW_TIME.finditer(text)])
