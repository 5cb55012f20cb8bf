"""Without ANNEAL_BASE_URL, `anneal run ADDR:PORT` builds links from the address it serves on."""

from __future__ import annotations

import pytest

from core.links import adopt_serving_address, base_url_note, serving_base_url


@pytest.mark.parametrize("addrport, expected", [
    ("127.0.0.1:8123", "http://127.0.0.1:8123"),
    ("0.0.0.0:9000", "http://127.0.0.1:9000"),
    (":9001", "http://127.0.0.1:9001"),
    ("[::]:9002", "http://[::1]:9002"),
    ("[::1]:9003", "http://[::1]:9003"),
    ("anneal.lan:8080", "http://anneal.lan:8080"),
    ("localhost", "http://localhost:8000"),
])
def test_the_serving_address_becomes_an_address_a_browser_can_open(addrport, expected):
    assert serving_base_url(addrport) == expected


def test_without_the_setting_the_serving_address_is_adopted_and_said(settings):
    settings.BASE_URL, settings.BASE_URL_SOURCE = "http://127.0.0.1:8000", "default"
    settings.CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000"]
    assert adopt_serving_address("127.0.0.1:8123") is True
    assert settings.BASE_URL == "http://127.0.0.1:8123"
    assert settings.CSRF_TRUSTED_ORIGINS == ["http://127.0.0.1:8123"]
    assert base_url_note().startswith("ANNEAL_BASE_URL is not set: links use http://127.0.0.1:8123, the address "
                                      "this server was started on (anneal run). If people reach Anneal at another address, set ANNEAL_BASE_URL to it.")


def test_a_configured_base_url_is_never_replaced(settings):
    settings.BASE_URL, settings.BASE_URL_SOURCE = "https://anneal.example.com", "setting"
    assert adopt_serving_address("127.0.0.1:8123") is False
    assert settings.BASE_URL == "https://anneal.example.com"
    assert base_url_note() == "Links use https://anneal.example.com, set by ANNEAL_BASE_URL."


def test_the_default_says_it_is_only_a_default(settings):
    settings.BASE_URL, settings.BASE_URL_SOURCE = "http://127.0.0.1:8000", "default"
    assert "the built-in default" in base_url_note() and "set ANNEAL_BASE_URL" in base_url_note()
