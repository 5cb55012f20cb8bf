"""The identity of the product this instance runs: Anneal, or a vendor's product built on it.

Everything that names the product (page titles, the header and footer, e-mails, the API docs,
the CLI, file names) reads :func:`current`. A vendor's distribution declares its product with
the ``anneal_product`` hook; with none installed, the product is Anneal.
"""

from __future__ import annotations

import dataclasses
import logging
import re

from core import __version__
from core.plugins import hooks, manager
from core.plugins.types import Product

logger = logging.getLogger("anneal.product")

ANNEAL = Product(
    name="Anneal",
    short_name="Anneal",
    version=__version__,
    built_on_anneal=False,
    docs_url="https://anneal.dev/docs/",
    api_title="Anneal API",
    cli_name="anneal",
    file_prefix="anneal",
    email_sender_name="Anneal",
    email_subject_prefix="[Anneal]",
)

_cache: dict[str, object] = {"generation": None, "product": ANNEAL, "plugin": None}


def current() -> Product:
    """The product in force, with every empty field filled in (cached per plugin generation)."""
    generation = manager.generation()
    if _cache["generation"] != generation:
        _cache["plugin"], _cache["product"] = _resolve()
        _cache["generation"] = generation
    return _cache["product"]  # type: ignore[return-value]


def declared_by() -> str | None:
    """The plugin that declared the product in force, or ``None`` for Anneal itself."""
    current()
    return _cache["plugin"]  # type: ignore[return-value]


def is_anneal() -> bool:
    """Whether the instance runs Anneal itself (no installed distribution declares a product)."""
    return declared_by() is None


def _resolve() -> tuple[str | None, Product]:
    declared = hooks.products()
    if not declared:
        return None, ANNEAL
    plugin, product = declared[0]
    for other, _ in declared[1:]:
        logger.error("Plugins %s and %s both declare a product; %s is the one in force.", plugin, other, plugin)
    if not isinstance(product, Product) or not product.name.strip():
        logger.error("Plugin %s declared a product without a name; Anneal's identity stays in force.", plugin)
        return None, ANNEAL
    return plugin, _filled(product)


def _filled(product: Product) -> Product:
    name = product.name.strip()
    short = product.short_name or name
    slug = "".join(ch if ch.isalnum() else "-" for ch in short.lower()).strip("-") or "anneal"
    return dataclasses.replace(
        product,
        name=name,
        short_name=short,
        version=product.version or __version__,
        api_title=product.api_title or f"{name} API",
        cli_name=product.cli_name or slug,
        file_prefix=product.file_prefix or slug,
        email_sender_name=product.email_sender_name or name,
        email_subject_prefix=product.email_subject_prefix or f"[{short}]",
    )



_COMMAND = re.compile(r"(?<![\w./-])anneal(?= [a-z])")
_NAME = re.compile(r"\bAnneal(?P<possessive>'s)?\b(?! (?:core|hook API)\b)")


def rebranded(text: str) -> str:
    """``text`` (a command's help, a message) with Anneal's name and command replaced by the product's.

    Unchanged for Anneal itself. Mentions of the platform underneath (``Anneal core``, the
    ``Anneal hook API``) stay as they are; ``Anneal Enterprise`` becomes the product's edition.
    """
    product = current()
    if is_anneal():
        return text
    text = _COMMAND.sub(product.cli_name, text)
    text = text.replace("Anneal Enterprise", f"{product.name} Enterprise")
    return _NAME.sub(lambda m: product.short_name + (m.group("possessive") or ""), text)
