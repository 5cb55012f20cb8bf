"""Acme Cloud's entry point: the product's identity, declared through Anneal's hooks.

Settings-stage hooks live here, so this module imports nothing from Django.
"""

from __future__ import annotations

from core.plugins import Product, hookimpl

anneal_requires = ">=0.1,<0.2"


@hookimpl
def anneal_product() -> Product:
    return Product(
        name="Acme Cloud",
        short_name="Acme",
        cli_name="acme",
        file_prefix="acme",
        docs_url="https://docs.acme.example/",
        support_url="https://support.acme.example/",
        purchase_url="https://acme.example/buy",
        contact_url="mailto:sales@acme.example",
        footer="Acme Cloud, by Acme Corporation.",
        sign_in_text="Sign in to Acme Cloud with your company account.",
        email_sender_name="Acme Cloud",
    )
