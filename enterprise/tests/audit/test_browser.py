"""The audit log page in a real Chromium: filter, verify, export with progress."""

from __future__ import annotations

import pytest

from anneal_enterprise.audit import sealing
from core.services import projects

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_filters_verifies_and_exports_in_the_browser(organization, page, jobs_in_process,
                                                               settings, tmp_path):
    settings.ANNEAL_AUDIT_EXPORT_DIR = str(tmp_path)
    owner = organization.memberships.get().user
    owner.set_password("correct horse battery")
    owner.save()
    for number in range(3):
        projects.create_project(organization, f"Project {number}")
    sealing.seal()

    page.goto("/sign-in/")
    page.get_by_label("Email").fill(owner.email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/o/{organization.slug}/")
    page.get_by_role("link", name="Audit log").click()

    page.get_by_label("Action").select_option("project.created")
    page.get_by_role("button", name="Filter", exact=True).click()
    assert page.locator("table.audit-records tbody tr").count() == 3

    page.get_by_role("button", name="Verify this organization's audit log").click()
    assert "Intact" in page.locator(".messages").inner_text()

    page.get_by_role("button", name="Export the filtered records").click()
    row = page.locator("table.exports tbody tr").first
    row.get_by_role("link", name="Download").wait_for()
    assert "done" in row.inner_text() and "100%" in row.inner_text()


def test_an_admin_adds_a_tls_syslog_destination_with_a_private_ca_from_the_page(organization, page, sign_in_page,
                                                                                  tmp_path):
    from anneal_enterprise.audit.models import AuditDestination
    from playwright.sync_api import expect

    from .receivers import self_signed_certificate

    cert, _ = self_signed_certificate(tmp_path)
    sign_in_page(page, organization.memberships.get().user)
    page.goto(f"/o/{organization.slug}/")
    page.get_by_role("navigation", name="Organization").get_by_role("link", name="Audit log").click()
    destinations = page.locator(".card", has=page.get_by_role("heading", name="Streaming destinations"))
    destinations.get_by_label("Name").fill("SIEM")
    destinations.get_by_label("Kind").select_option(label="Syslog (TCP)")
    destinations.get_by_label("Syslog host").fill("siem.example.com")
    destinations.get_by_label("Syslog port").fill("6514")
    destinations.get_by_label("TLS (syslog over TLS)").check()
    destinations.get_by_label("CA certificate for TLS", exact=False).fill(open(cert).read())
    destinations.get_by_role("button", name="Add destination").click()

    expect(page.get_by_role("status").filter(has_text="Added SIEM.")).to_be_visible()
    destination = AuditDestination.objects.get()
    assert destination.tls and destination.tls_ca_encrypted and "BEGIN" not in destination.tls_ca_encrypted
