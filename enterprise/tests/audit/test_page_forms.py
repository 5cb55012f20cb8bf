"""The audit log page's forms render through the form component: every field has its label, a
refused submission comes back with what was typed and the error by its field, hostile input is
refused with a message."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from anneal_enterprise.audit.models import AuditDestination, AuditExport, AuditPolicy

from .receivers import self_signed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_and_base(organization):
    client = Client()
    client.force_login(organization.memberships.get().user)
    return client, f"/plugins/enterprise/audit/organizations/{organization.slug}"


def field_of(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    return found.group(0)


def test_every_field_of_the_page_has_its_label(client_and_base):
    client, base = client_and_base
    html = client.get(f"{base}/").content.decode()
    for name, label in [("since_export", "Compare with an earlier export"), ("format", "Export format"),
                        ("name", "Name"), ("kind", "Kind"), ("url", "Webhook URL"), ("host", "Syslog host"),
                        ("port", "Syslog port"), ("tls_ca_pem", "CA certificate for TLS"),
                        ("event_types", "Event types"), ("retention_days", "Keep records for (days)")]:
        assert f'id="id_{name}"' in field_of(html, name)
        assert re.search(rf'<label for="id_{name}">{re.escape(label)}', html), name
    assert '<div class="field-help" id="id_tls_ca_pem_helptext">PEM, for a private CA. Empty: the system\'s CAs.</div>' in html


def test_the_tls_option_is_a_checkbox_inside_its_label(client_and_base):
    client, base = client_and_base
    html = client.get(f"{base}/").content.decode()
    assert re.search(r'<label for="id_tls"><input type="checkbox" name="tls" id="id_tls"[^>]*> TLS \(syslog over TLS\)</label>',
                     html)


def test_a_refused_destination_comes_back_typed_with_the_error_by_its_field(client_and_base, tmp_path):
    client, base = client_and_base
    typed = {"name": "SIEM", "kind": "syslog", "host": "siem.example.com", "port": "6514", "tls": "on",
             "tls_ca_pem": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----", "event_types": ""}
    html = client.post(f"{base}/destinations/", typed, follow=True).content.decode()

    assert not AuditDestination.objects.exists()
    assert 'value="SIEM"' in field_of(html, "name") and 'value="siem.example.com"' in field_of(html, "host")
    assert "checked" in field_of(html, "tls")
    assert '<option value="syslog" selected>' in html
    ca = re.search(r'<textarea[^>]*name="tls_ca_pem"[^>]*>(.*?)</textarea>', html, re.S)
    assert "nope" in ca.group(0) and 'aria-invalid="true"' in ca.group(0)
    assert 'aria-describedby="id_tls_ca_pem_helptext id_tls_ca_pem_error"' in ca.group(0)
    assert re.search(r'<div class="form-error" id="id_tls_ca_pem_error" role="alert">The CA certificate is not a valid '
                     r'PEM certificate', html)
    again = client.get(f"{base}/").content.decode()
    assert "nope" not in again and "form-error" not in again  # shown once: a reload shows the empty form

    cert, _ = self_signed_certificate(tmp_path)
    added = client.post(f"{base}/destinations/", {**typed, "tls_ca_pem": open(cert).read()}, follow=True)
    assert "Added SIEM." in added.content.decode() and AuditDestination.objects.get().tls


def test_a_ca_without_tls_is_refused_by_the_tls_box(client_and_base, tmp_path):
    client, base = client_and_base
    cert, _ = self_signed_certificate(tmp_path)
    html = client.post(f"{base}/destinations/", {"name": "SIEM", "kind": "syslog", "host": "siem.example.com",
                                                 "port": "6514", "tls_ca_pem": open(cert).read()},
                       follow=True).content.decode()
    assert re.search(r'<div class="form-error" id="id_tls_error" role="alert">A CA certificate is only used with TLS', html)
    assert 'aria-invalid="true"' in field_of(html, "tls")


def test_a_destination_without_a_name_or_a_known_kind_is_refused_by_those_fields(client_and_base):
    client, base = client_and_base
    html = client.post(f"{base}/destinations/", {"name": "", "kind": "carrier-pigeon"}, follow=True).content.decode()
    assert 'id="id_name_error"' in html and 'id="id_kind_error"' in html
    assert not AuditDestination.objects.exists()


def test_a_refused_retention_keeps_what_was_typed(client_and_base):
    client, base = client_and_base
    html = client.post(f"{base}/retention/", {"retention_days": "lots"}, follow=True).content.decode()
    assert 'value="lots"' in field_of(html, "retention_days")
    assert re.search(r'id="id_retention_days_error" role="alert">Retention must be a whole number of days', html)
    assert not AuditPolicy.objects.filter(retention_days__isnull=False).exists()

    client.post(f"{base}/retention/", {"retention_days": "90"})
    assert 'value="90"' in field_of(client.get(f"{base}/").content.decode(), "retention_days")


def test_an_unknown_export_format_is_refused_by_the_format_field(client_and_base):
    client, base = client_and_base
    html = client.post(f"{base}/exports/", {"format": "xlsx"}, follow=True).content.decode()
    assert 'id="id_format_error"' in html and not AuditExport.objects.exists()


def test_a_file_that_is_no_export_is_refused_by_the_file_field(client_and_base, tmp_path):
    client, base = client_and_base
    upload = tmp_path / "notes.txt"
    upload.write_bytes(b"\xff\xfe not text")
    with upload.open("rb") as file:
        html = client.post(f"{base}/verify/", {"since_export": file}, follow=True).content.decode()
    assert re.search(r'id="id_since_export_error" role="alert">Cannot compare with that file', html)


@pytest.mark.parametrize("path, field", [("destinations/", "name"), ("retention/", "retention_days"),
                                         ("exports/", "format")])
def test_a_nul_character_is_refused_with_a_message_not_a_server_error(client_and_base, path, field):
    client, base = client_and_base
    response = client.post(f"{base}/{path}", {field: "a\x00b", "kind": "webhook"})
    assert response.status_code in (302, 400)
    html = (client.get(f"{base}/") if response.status_code == 302 else response).content.decode()
    assert "NUL" in html or "Null characters are not allowed" in html
    assert not AuditDestination.objects.exists() and not AuditExport.objects.exists()
