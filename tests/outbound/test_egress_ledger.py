"""The egress ledger: every destination the instance may contact, for instance staff, with the last contact."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core import outbound
from core.plugins import EgressDestination, hookimpl
from core.testing.listeners import http_listener, stop, url_of

pytestmark = pytest.mark.django_db


class Destinations:
    def __init__(self, address: str) -> None:
        self.address = address

    @hookimpl
    def anneal_egress_destinations(self) -> list[EgressDestination]:
        return [EgressDestination("Test receivers", "The receiver", self.address, "Acme")]


def test_staff_see_every_destination_with_its_last_contact(anneal_plugin, make_user, web_client_for,
                                                           outbound_allow, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "smtp.example.com", 587
    server = http_listener()
    try:
        outbound_allow("127.0.0.1")
        anneal_plugin(Destinations(url_of(server, "/hook")), name="test-destinations")
        page = web_client_for(make_user(is_staff=True)).get(reverse("web:egress_ledger")).content.decode()
        assert "The receiver" in page and "Acme" in page and "smtp.example.com:587" in page
        assert page.count(">never<") == 2

        outbound.get(url_of(server, "/hook"), purpose="test")
        page = web_client_for(make_user(is_staff=True)).get(reverse("web:egress_ledger")).content.decode()
        assert page.count(">never<") == 1  # the receiver now shows when it was contacted
    finally:
        stop(server)


def test_the_ledger_is_for_staff_only(make_user, web_client_for):
    assert web_client_for(make_user()).get(reverse("web:egress_ledger")).status_code == 403


def test_the_system_page_shows_the_outbound_allowlist_and_links_the_ledger(make_user, web_client_for, settings):
    settings.ANNEAL_OUTBOUND_ALLOW = ["10.0.0.0/8", "idp.corp.example"]
    page = web_client_for(make_user(is_staff=True)).get(reverse("web:system")).content.decode()
    assert "10.0.0.0/8, idp.corp.example" in page and reverse("web:egress_ledger") in page


def test_contacts_are_written_at_most_once_a_minute(outbound_allow, django_assert_num_queries):
    from core.outbound import ledger

    ledger.record_contact("siem.example.com", 443)
    with django_assert_num_queries(0):
        ledger.record_contact("SIEM.example.com.", 443)
    assert list(outbound.last_contacts()) == ["siem.example.com:443"]


def test_the_api_lists_the_same_destinations_with_their_last_contact(anneal_plugin, make_user, api_client_for,
                                                                   outbound_allow):
    server = http_listener()
    try:
        outbound_allow("127.0.0.1")
        address = url_of(server, "/hook")
        anneal_plugin(Destinations(address), name="test-destinations")
        staff = api_client_for(make_user(is_staff=True))
        (row,) = [r for r in staff.get("/api/v1/system/egress/").json() if r["address"] == address]
        assert row == {"category": "Test receivers", "name": "The receiver", "address": address,
                       "organization": "Acme", "plugin": "test-destinations", "last_contact": None}
        outbound.get(address, purpose="test")
        (row,) = [r for r in staff.get("/api/v1/system/egress/").json() if r["address"] == address]
        assert row["last_contact"] is not None
    finally:
        stop(server)


def test_the_ledger_api_is_for_staff_only(make_user, api_client_for):
    assert api_client_for(make_user()).get("/api/v1/system/egress/").status_code == 403
