"""Acme Cloud's entry point: the product's identity, declared through Anneal's hooks.

Settings-stage hooks live here, so this module imports nothing from Django.
"""

from __future__ import annotations

from importlib import metadata

from acme_product.licensing import product_licensing
from core.plugins import Product, hookimpl

anneal_requires = ">=0.1,<0.2"
anneal_hooks = ["acme_product.insights"]  # runtime hooks: Acme Insights, the product's own licensed feature


@hookimpl
def anneal_product() -> Product:
    return Product(
        name="Acme Cloud",
        short_name="Acme",
        version=_version(),
        logo="acme_product/logo.svg",
        favicon="acme_product/favicon.svg",
        colors={"--color-accent": "#0b6e4f", "--color-accent-hover": "#07533b", "--color-focus": "#0b6e4f"},
        dark_colors={"--color-accent": "#5fd3a6", "--color-accent-hover": "#8fe3c2", "--color-focus": "#5fd3a6"},
        footer="Acme Cloud, by Acme Corporation.",
        built_on_anneal=True,
        sign_in_text="Sign in to Acme Cloud with your company account.",
        docs_url="https://docs.acme.example/",
        support_url="https://support.acme.example/",
        purchase_url="https://acme.example/buy",
        contact_url="mailto:sales@acme.example",
        email_sender_name="Acme Cloud",
        licensing=product_licensing(),
        cli_name="acme",
        file_prefix="acme",
    )


@hookimpl
def anneal_django_apps() -> list[str]:
    """The app whose static files are the logo and the favicon."""
    return ["acme_product"]


def _version() -> str:
    """The installed distribution's version; empty (Anneal's) when run from a source folder."""
    try:
        return metadata.version("acme-cloud")
    except metadata.PackageNotFoundError:
        return ""
