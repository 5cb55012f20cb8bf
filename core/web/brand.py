"""The product's brand on every page: its colours as the design system's custom properties.

A vendor's ``Product.colors`` and ``dark_colors`` (``{"--color-accent": "#0b6e4f"}``) become a
small ``<style>`` after ``anneal.css``. A name must be a custom property and a value a colour or a
length, so nothing a vendor (or a compromised settings file) writes can close the rule, the
``<style>`` element, or load anything: a pair that is not is left out and logged.
"""

from __future__ import annotations

import logging
import re

from django.utils.safestring import SafeString, mark_safe

from core.plugins.types import Product

logger = logging.getLogger("anneal.product")

_PROPERTY = re.compile(r"--[a-z][a-z0-9-]{0,63}")
_NUMBER = r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)"
_SAFE_VALUES = (
    re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})"),
    re.compile(rf"(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch)\((?:\s*{_NUMBER}(?:%|deg|turn|rad)?\s*[,/]?)+\s*\)"),
    re.compile(r"[a-zA-Z]{3,32}"),  # a colour keyword: white, transparent, currentcolor
    re.compile(rf"{_NUMBER}(?:px|rem|em|%|ch|vw|vh)?"),
)


def safe_declarations(colors: dict[str, str], *, product: str = "", theme: str = "light") -> list[str]:
    """``name: value`` for each pair that is a custom property set to a colour or a length."""
    declarations = []
    for name, value in colors.items():
        name, value = str(name).strip(), str(value).strip()
        if _PROPERTY.fullmatch(name) and any(pattern.fullmatch(value) for pattern in _SAFE_VALUES):
            declarations.append(f"{name}: {value}")
        else:
            logger.error("Product %s: the %s colour %r: %r is not a custom property set to a colour or a length; "
                         "it is left out.", product, theme, name, value)
    return declarations


_rendered: dict[str, object] = {"product": None, "style": ""}


def style_element(product: Product) -> SafeString:
    """The ``<style>`` with the product's overrides, or nothing when it has none (built once per product)."""
    if _rendered["product"] is not product:
        _rendered["style"], _rendered["product"] = _style_element(product), product
    return _rendered["style"]  # type: ignore[return-value]


def _style_element(product: Product) -> SafeString:
    light = safe_declarations(product.colors, product=product.name)
    dark = safe_declarations(product.dark_colors, product=product.name, theme="dark")
    rules = []
    if light:
        rules.append(":root { " + "; ".join(light) + "; }")
    if dark:
        rules.append("@media (prefers-color-scheme: dark) { :root { " + "; ".join(dark) + "; } }")
    if not rules:
        return mark_safe("")
    return mark_safe('<style id="product-colors">' + " ".join(rules) + "</style>")  # every piece matched above
