"""Acme Cloud's entry point: the product's identity, declared through Anneal's hooks.

Settings-stage hooks live here, so this module imports nothing from Django.
"""

from __future__ import annotations

from acme_product.licensing import product_licensing
from core.plugins import Product, hookimpl

anneal_requires = ">=0.1,<0.2"
anneal_hooks = ["acme_product.insights"]  # runtime hooks: Acme Insights, the product's own licensed feature


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
        licensing=product_licensing(),
    )


@hookimpl
def anneal_django_apps() -> list[str]:
    """The app whose static files are the logo and the favicon."""
    return ["acme_product"]
