"""The brand a declared product gives pages, colours, e-mails, the API schema, file names and texts.

These run in the test process with the example's product declared (``acme`` fixture); the
browser test (``test_branded_product.py``) checks the same with the example installed.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from core import product
from core.plugins import Product
from core.web.brand import safe_declarations

HOSTILE_VALUES = [
    "red; } body { display: none",
    "#fff</style><script>alert(1)</script>",
    "url(https://evil.example/x.png)",
    "expression(alert(1))",
    "red !important",
    "#0b6e4f\n}",
    "rgb(1,2,3); color: red",
    "var(--x)",
    "",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_a_colour_value_that_is_not_a_colour_or_a_length_is_left_out(value, caplog):
    with caplog.at_level(logging.ERROR, logger="anneal.product"):
        assert safe_declarations({"--color-accent": value}) == []
    assert "is left out" in caplog.text


@pytest.mark.parametrize("name", ["color", "--x}body{", "--color-accent;--y", "--Color", "-- ", "--a</style>"])
def test_a_property_that_is_not_a_custom_property_is_left_out(name):
    assert safe_declarations({name: "#ffffff"}) == []


@pytest.mark.parametrize("value", ["#0b6e4f", "#fff", "#0b6e4fcc", "rgb(11, 110, 79)", "rgba(11 110 79 / 50%)",
                                   "hsl(160deg 82% 24%)", "white", "transparent", "4px", "0.5rem", "1.5"])
def test_colours_and_lengths_are_kept(value):
    assert safe_declarations({"--color-accent": value}) == [f"--color-accent: {value}"]


@pytest.mark.django_db
def test_a_hostile_colour_cannot_break_out_of_the_pages_style(declare):
    declare("hostile", Product(name="Hostile", colors={
        "--color-accent": "#0b6e4f", "--color-bg": "red;}</style><script>alert(1)</script><style>",
        "--color-text</style><script>alert(2)</script>": "#000000"}))
    page = Client().get("/sign-in/").content.decode()
    assert "<script>alert" not in page
    style = re.search(r'<style id="product-colors">(.*?)</style>', page, re.S)
    assert style is not None and style.group(1) == ":root { --color-accent: #0b6e4f; }"


@pytest.mark.django_db
def test_anneal_itself_renders_no_colour_overrides_and_no_built_on_line():
    page = Client().get("/sign-in/").content.decode()
    assert 'id="product-colors"' not in page and "Built on Anneal" not in page
    assert "<title>Sign in · Anneal</title>" in page and '<link rel="icon" href="data:,">' in page


@pytest.mark.django_db
def test_the_sign_in_page_carries_the_products_title_logo_favicon_text_footer_and_links(acme):
    page = Client().get("/sign-in/").content.decode()
    assert "<title>Sign in · Acme Cloud</title>" in page
    assert '<link rel="icon" href="/static/acme_product/favicon.svg">' in page
    assert '<img src="/static/acme_product/logo.svg" alt="" width="24" height="24">Acme Cloud</a>' in page
    assert "Sign in to Acme Cloud with your company account." in page
    assert "Acme Cloud, by Acme Corporation." in page and "Built on Anneal" in page
    assert '<a href="https://docs.acme.example/" rel="noopener">Documentation</a>' in page
    assert '<style id="product-colors">:root { --color-accent: #0b6e4f;' in page


@pytest.mark.django_db(transaction=True)
def test_an_invitation_comes_from_the_products_sender_with_its_prefix(acme, settings, make_user, make_organization,
                                                                      mailoutbox, jobs_in_process):
    from core.services.invitations import invite

    settings.DEFAULT_FROM_EMAIL = "noreply@rockets.example"
    owner = make_user(email="owner@example.com")
    invite(make_organization(name="Rockets", owner=owner), "new@example.com", "member", invited_by=owner)
    assert [(m.subject, m.from_email) for m in mailoutbox] == [
        ("[Acme] You are invited to Rockets on Acme Cloud", "Acme Cloud <noreply@rockets.example>")]


@pytest.mark.django_db(transaction=True)
def test_an_operators_sender_name_is_kept(acme, settings, make_user, mailoutbox, jobs_in_process):
    from core.mfa.notifications import factor_changed

    settings.DEFAULT_FROM_EMAIL = "Rockets IT <it@rockets.example>"
    factor_changed(make_user(email="a@example.com"), "A passkey was added")
    assert [(m.subject, m.from_email) for m in mailoutbox] == [
        ("[Acme] A second factor of your Acme Cloud account changed", "Rockets IT <it@rockets.example>")]


def test_the_api_schema_has_the_products_title_and_version(declare):
    declare("acme", Product(name="Acme Cloud", version="3.1.4"))
    info = SchemaGenerator().get_schema(request=None, public=True)["info"]
    assert (info["title"], info["version"]) == ("Acme Cloud API", "3.1.4")
    assert "Anneal" not in info["description"]


@pytest.mark.django_db
def test_a_support_bundle_is_named_after_the_product(acme):
    from anneal_enterprise.support.models import SupportBundle

    assert SupportBundle(created_at=timezone.now()).filename.startswith("acme-support-")


def test_help_texts_name_the_products_command_and_name_but_not_the_platform_underneath(acme):
    assert product.rebranded("Made by `anneal backup`; restart Anneal.") == "Made by `acme backup`; restart Acme."
    assert product.rebranded("Anneal's commands and the Anneal hook API") == "Acme's commands and the Anneal hook API"
    assert product.rebranded("the anneal_enterprise package") == "the anneal_enterprise package"


def test_for_anneal_itself_help_texts_are_unchanged():
    assert product.rebranded("Made by `anneal backup`; restart Anneal.") == "Made by `anneal backup`; restart Anneal."


def test_the_server_error_page_names_the_product(declare, rf):
    from core.api.errors import server_error

    declare("acme", Product(name="Acme Cloud", short_name="Acme"))
    page = server_error(rf.get("/o/acme/")).content.decode()
    assert page.count("Acme Cloud") == 3 and "Anneal" not in page
