"""Support-access links are built from ANNEAL_BASE_URL, never from the request's Host header."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BASE_URL = "https://anneal.example.com"
HOSTILE = "evil.example"


@pytest.fixture
def hostile_host_accepted(settings):  # type: ignore[no-untyped-def]
    settings.ALLOWED_HOSTS = [HOSTILE, "testserver"]
    settings.BASE_URL = BASE_URL


def test_the_support_link_on_the_grant_page_uses_the_base_url(support_licensed, hostile_host_accepted,
                                                              make_organization, make_user):
    owner = make_user()
    organization = make_organization(owner=owner)
    client = Client()
    client.force_login(owner)
    page = client.post(f"/plugins/enterprise/support/o/{organization.slug}/access/",
                       {"action": "create", "reason": "Exports fail", "ticket": "T-1", "scope": "read_only",
                        "hours": "8"}, HTTP_HOST=HOSTILE, follow=True)
    link = re.search(r'id="support-link">([^<]+)<', page.content.decode()).group(1)
    assert link.startswith(f"{BASE_URL}/plugins/enterprise/support/access/")


def test_the_support_link_in_the_api_answer_uses_the_base_url(support_licensed, hostile_host_accepted,
                                                              make_organization, make_user, api_client_for):
    owner = make_user()
    organization = make_organization(owner=owner)
    created = api_client_for(owner).post(
        f"/api/v1/plugins/enterprise/support/organizations/{organization.slug}/grants/",
        {"reason": "Ticket 12", "scope": "read_only", "hours": 2}, format="json", HTTP_HOST=HOSTILE)
    assert created.status_code == 201, created.content
    assert created.json()["link"].startswith(f"{BASE_URL}/plugins/enterprise/support/access/")
