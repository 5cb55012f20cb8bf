"""The invite form tells the truth about where the invitation went."""

from __future__ import annotations

import pytest

from core.models import Invitation

pytestmark = pytest.mark.django_db


def test_with_the_console_backend_the_link_is_shown_once_to_copy(organization, owner, web_client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    client = web_client_for(owner)
    page = client.post(f"/o/{organization.slug}/members/", {"email": "new@example.com", "role": "member"},
                       follow=True).content.decode()
    assert "printed to the server&#x27;s console (its log) instead of sent" in page
    assert "The link is in their inbox" not in page
    invitation = Invitation.objects.get()
    assert 'id="invitation-link"' in page and "/invitations/" in page
    assert invitation.token_hash not in page  # the link carries the token; the page never shows the hash
    assert 'id="invitation-link"' not in client.get(f"/o/{organization.slug}/members/").content.decode()


def test_with_smtp_the_link_goes_to_their_inbox_only(organization, owner, web_client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # sent after commit: not in this test
    page = web_client_for(owner).post(f"/o/{organization.slug}/members/",
                                      {"email": "new@example.com", "role": "member"}, follow=True).content.decode()
    assert "Invited new@example.com as member. The link is in their inbox." in page
    assert 'id="invitation-link"' not in page and "Email is not set up" not in page


@pytest.mark.parametrize("source, said", [("setting", False), ("serving address", True), ("default", True)])
def test_the_admin_is_told_when_the_emailed_link_uses_a_base_url_nobody_set(organization, owner, web_client_for,
                                                                           settings, source, said):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.BASE_URL, settings.BASE_URL_SOURCE = "http://127.0.0.1:8123", source
    page = web_client_for(owner).post(f"/o/{organization.slug}/members/",
                                      {"email": "new@example.com", "role": "member"}, follow=True).content.decode()
    assert ("ANNEAL_BASE_URL is not set: links use http://127.0.0.1:8123" in page) is said


def test_a_refused_invitation_shows_no_link(organization, owner, web_client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    page = web_client_for(owner).post(f"/o/{organization.slug}/members/", {"email": "not-an-email", "role": "member"})
    assert page.status_code == 400 and 'id="invitation-link"' not in page.content.decode()
