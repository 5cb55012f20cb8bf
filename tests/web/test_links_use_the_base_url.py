"""Links Anneal sends are built from ANNEAL_BASE_URL, never from the request's Host header.

Each test sends ``Host: evil.example`` and lets ALLOWED_HOSTS accept it, as a misconfigured
instance (or one behind a proxy that passes any Host through) would.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BASE_URL = "https://anneal.example.com"
HOSTILE = "evil.example"


@pytest.fixture
def hostile_host_accepted(settings):
    settings.ALLOWED_HOSTS = [HOSTILE, "testserver"]
    settings.BASE_URL = BASE_URL
    return settings


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def test_the_password_reset_email_links_to_the_base_url_only(hostile_host_accepted, make_user, mailoutbox):
    make_user("ann@example.com")
    response = Client().post("/password/reset/", {"email": "ann@example.com"}, HTTP_HOST=HOSTILE)
    assert response.status_code == 302
    (message,) = mailoutbox
    links = links_in(message.body)
    assert links and all(link.startswith(f"{BASE_URL}/password/reset/") for link in links), links
    assert HOSTILE not in message.body and HOSTILE not in message.subject


def test_the_password_reset_link_works(hostile_host_accepted, make_user, mailoutbox):
    make_user("ann@example.com")
    Client().post("/password/reset/", {"email": "ann@example.com"}, HTTP_HOST=HOSTILE)
    path = links_in(mailoutbox[0].body)[0].removeprefix(BASE_URL)
    page = Client().get(path, follow=True)
    assert "Choose a new password" in page.content.decode()


def test_the_invitation_email_links_to_the_base_url_only(hostile_host_accepted, web_client_for, organization,
                                                          make_member, mailoutbox, jobs_in_process,
                                                          django_capture_on_commit_callbacks):
    client = web_client_for(make_member(organization, "admin"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/{organization.slug}/members/", {"email": "new@example.com", "role": "member"},
                               HTTP_HOST=HOSTILE)
    assert response.status_code == 302
    links = links_in(mailoutbox[-1].body)
    assert links and all(link.startswith(f"{BASE_URL}/invitations/") for link in links), links
    assert HOSTILE not in mailoutbox[-1].body


def test_absolute_url_refuses_what_is_not_a_path():
    from core.links import absolute_url

    for bad in ("evil.example/x", "//evil.example/x", "https://evil.example/"):
        with pytest.raises(ValueError):
            absolute_url(bad)
