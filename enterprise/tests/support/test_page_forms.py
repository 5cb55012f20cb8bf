"""The support pages' forms render through the form component: labels, the collectors as a
group of checkboxes, a refusal by its field with what was typed kept, hostile input refused."""

from __future__ import annotations

import re

import pyrage
import pytest
from django.test import Client

from anneal_enterprise.support.models import SupportBundle, SupportGrant

pytestmark = pytest.mark.django_db

BASE = "/plugins/enterprise/support"


def field_of(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    return found.group(0)


def test_the_grant_form_labels_every_field(support_licensed, organization, owner_client):
    html = owner_client.get(f"{BASE}/o/{organization.slug}/access/").content.decode()
    for name, label in [("reason", "Reason or ticket"), ("ticket", "Ticket id <span class=\"muted\">(optional)</span>"),
                        ("scope", "Scope"), ("hours", "Hours")]:
        assert f'<label for="id_{name}">{label}</label>' in html
    assert 'value="8"' in field_of(html, "hours") and 'type="number"' in field_of(html, "hours")
    assert '<option value="read_only" selected>Read-only: can look, cannot change anything</option>' in html


def test_a_refused_grant_comes_back_typed_with_the_error_by_its_field(support_licensed, organization, owner_client):
    response = owner_client.post(f"{BASE}/o/{organization.slug}/access/", {
        "action": "create", "reason": "Exports fail", "ticket": "T-4711", "scope": "read_write", "hours": "100000"})
    html = response.content.decode()
    assert response.status_code == 400 and not SupportGrant.objects.exists()
    assert re.search(r'id="id_hours_error" role="alert">The duration must be more than 0', html)
    assert 'aria-invalid="true"' in field_of(html, "hours") and 'value="100000"' in field_of(html, "hours")
    assert 'value="Exports fail"' in field_of(html, "reason") and 'value="T-4711"' in field_of(html, "ticket")
    assert '<option value="read_write" selected>' in html

    empty = owner_client.post(f"{BASE}/o/{organization.slug}/access/", {"action": "create", "reason": "  ",
                                                                        "scope": "read_only", "hours": "8"})
    assert empty.status_code == 400 and 'id="id_reason_error"' in empty.content.decode()


def test_a_nul_character_in_a_grant_is_refused_with_a_message(support_licensed, organization, owner_client):
    response = owner_client.post(f"{BASE}/o/{organization.slug}/access/", {
        "action": "create", "reason": "Exports\x00fail", "scope": "read_only", "hours": "8"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not SupportGrant.objects.exists()


def test_the_redeem_form_asks_the_name_by_its_label(support_licensed, organization, owner):
    from anneal_enterprise.support import access

    _, token = access.create_grant(organization, owner, "Exports fail")
    html = Client().get(f"{BASE}/access/{token}/").content.decode()
    assert '<label for="id_engineer">Your name</label>' in html
    assert 'aria-describedby="id_engineer_helptext"' in field_of(html, "engineer")
    refused = Client().post(f"{BASE}/access/{token}/", {"engineer": "Jane Doe"}).content.decode()
    assert 'value="Jane Doe"' in field_of(refused, "engineer") and 'id="id_engineer_error"' in refused


def test_the_collectors_are_a_group_of_checkboxes_with_a_legend(support_licensed, staff_client):
    html = staff_client.get(f"{BASE}/bundles/").content.decode()
    assert re.search(r'<fieldset class="field choices"[^>]*>\s*<legend>Collectors</legend>', html)
    assert re.search(r'<label for="id_collectors_\d+"><input type="checkbox" name="collectors" value="versions"'
                     r'[^>]*checked>\s*<strong>versions</strong>', html)
    assert '<label for="id_recipients">Other age public keys, one per line <span class="muted">(optional)</span></label>' in html


def test_a_refused_bundle_keeps_the_chosen_collectors_and_shows_the_error_by_its_field(
        support_licensed, staff_client, settings):
    settings.ANNEAL_SUPPORT_AGE_RECIPIENTS = str(pyrage.x25519.Identity.generate().to_public())
    html = staff_client.get(f"{BASE}/bundles/").content.decode()
    assert re.search(r'<label for="id_encrypt"><input type="checkbox" name="encrypt" id="id_encrypt" checked> '
                     r'Encrypt to the vendor&#x27;s public key', html)

    response = staff_client.post(f"{BASE}/bundles/", {"collectors": ["versions"], "recipients": "age1bogus"})
    html = response.content.decode()
    assert response.status_code == 400 and not SupportBundle.objects.exists()
    assert re.search(r'id="id_recipients_error" role="alert">[^<]*not an age public key', html)
    assert "age1bogus</textarea>" in html
    assert "checked" not in field_of(html, "encrypt")  # not ticked in that submission: kept unticked
    chosen = re.findall(r'<input type="checkbox" name="collectors" value="([\w.]+)"[^>]*checked>', html)
    assert chosen == ["versions"]

    nothing = staff_client.post(f"{BASE}/bundles/", {"recipients": ""})
    assert nothing.status_code == 400
    assert re.search(r'<fieldset class="field choices has-error"[^>]*>\s*<legend>Collectors</legend>',
                     nothing.content.decode())
    assert "Pick at least one collector." in nothing.content.decode()
