"""The product identity that a vendor's distribution declares through ``anneal_product``."""

import logging

from core import product
from core.plugins import Product


def test_with_no_product_declared_the_instance_is_anneal():
    assert product.is_anneal()
    assert product.current().name == "Anneal"
    assert product.current().cli_name == "anneal"


def test_a_declared_product_fills_its_empty_fields_from_its_name(declare):
    declare("acme", Product(name="Acme Cloud", short_name="Acme"))
    current = product.current()
    assert product.declared_by() == "acme"
    assert (current.name, current.api_title, current.cli_name, current.file_prefix) == (
        "Acme Cloud", "Acme Cloud API", "acme", "acme")
    assert current.email_subject_prefix == "[Acme]"


def test_when_two_distributions_declare_a_product_the_first_by_name_wins_and_the_other_is_logged(declare, caplog):
    declare("zeta", Product(name="Zeta"))
    declare("acme", Product(name="Acme"))
    with caplog.at_level(logging.ERROR, logger="anneal.product"):
        assert product.current().name == "Acme"
    assert "acme and zeta both declare a product" in caplog.text


def test_a_product_without_a_name_keeps_anneals_identity(declare, caplog):
    declare("nameless", Product(name="  "))
    with caplog.at_level(logging.ERROR, logger="anneal.product"):
        assert product.is_anneal()
    assert "without a name" in caplog.text
