"""The License page's key form renders through the form component: its label and help, a refused
key shown by the field with what was pasted kept, hostile input refused with a message."""

from __future__ import annotations

import re

import pytest

from anneal_enterprise.licensing.models import LicenseKey

pytestmark = pytest.mark.django_db
PAGE = "/plugins/enterprise/license/"


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(is_staff=True))
    return client


def key_field(html: str) -> str:
    return re.search(r'<textarea[^>]*name="key"[^>]*>.*?</textarea>', html, re.S).group(0)


def test_the_key_field_has_its_label_and_help(admin_client):
    html = admin_client.get(PAGE).content.decode()
    assert '<label for="license-key">License key (including the BEGIN and END lines)</label>' in html
    field = key_field(html)
    assert 'id="license-key"' in field and 'aria-describedby="license-key_helptext"' in field
    assert '<div class="field-help" id="license-key_helptext">The preview shows what the key would change' in html


def test_a_key_that_is_no_key_is_refused_by_the_field_with_what_was_pasted(admin_client):
    pasted = "-----BEGIN ANNEAL LICENSE KEY-----\nnonsense\n-----END ANNEAL LICENSE KEY-----"
    response = admin_client.post(PAGE, {"key": pasted, "action": "preview"})
    html = response.content.decode()
    assert response.status_code == 400
    field = key_field(html)
    assert "nonsense" in field and 'aria-invalid="true"' in field
    assert 'aria-describedby="license-key_helptext license-key_error"' in field
    assert re.search(r'<div class="form-error" id="license-key_error" role="alert">[^<]+</div>', html)
    assert 'value="install"' not in html


def test_an_install_that_is_refused_shows_the_reason_by_the_field(admin_client, signer):
    response = admin_client.post(PAGE, {"key": signer.issue(product="other"), "action": "install"})
    html = response.content.decode()
    assert response.status_code == 400 and not LicenseKey.objects.exists()
    assert re.search(r'id="license-key_error" role="alert">[^<]*not for Anneal', html) or \
        re.search(r'id="license-key_error" role="alert">[^<]*product', html)


def test_an_empty_key_is_refused_by_the_field(admin_client):
    response = admin_client.post(PAGE, {"key": "", "action": "preview"})
    assert response.status_code == 400
    assert 'id="license-key_error" role="alert">This field is required.' in response.content.decode()


def test_a_nul_character_in_a_key_is_refused_with_a_message(admin_client):
    response = admin_client.post(PAGE, {"key": "-----BEGIN\x00", "action": "preview"})
    assert response.status_code == 400 and "NUL" in response.content.decode()
