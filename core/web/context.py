"""Template context shared by every page: the product's brand, and navigation from ``anneal_navigation``.

Navigation shows a person only what they may open: each hook implementation decides that (the
core's own entries check the role), and the current page is marked with ``aria-current``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from core import __version__, features, product
from core.access import role_of
from core.plugins import hooks
from core.roles import Permission, allows
from core.web.brand import style_element


def _active_url(urls: list[str], path: str) -> str | None:
    """The entry whose URL is the longest prefix of the current path: the page you are in."""
    matches = [url for url in urls if path == url or (url != "/" and url.endswith("/") and path.startswith(url))]
    return max(matches, key=len, default=None)


def anneal(request: HttpRequest) -> dict[str, Any]:
    cache: dict[str, dict[str, list]] = {}

    def navigation() -> dict[str, list]:
        """Built once per page, however many times the templates ask."""
        if "nav" not in cache:
            cache["nav"] = _navigation(request)
        return cache["nav"]

    current = product.current()
    return {"anneal_version": __version__, "anneal_nav": navigation, "product": current,
            "product_style": style_element(current)}


def _navigation(request: HttpRequest) -> dict[str, list]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    organization = getattr(request, "organization", None)
    items = sorted(hooks.navigation(request, organization), key=lambda i: (i.order, i.label))
    sections: dict[str, list] = {"main": [], "organization": [], "admin": []}
    # The header's entries (main and admin) share one "you are here"; the organization tabs have their own.
    header_active = _active_url([i.url for i in items if i.section != "organization"], request.path)
    for section in sections:
        in_section = [i for i in items if i.section == section]
        if section == "organization" and organization is None:
            continue
        active = _active_url([i.url for i in in_section], request.path) if section == "organization" else header_active
        if section == "organization" and active is None:
            active = _settings_tab_url(request, organization)
        for item in in_section:
            locked = bool(item.feature) and not features.has(item.feature, organization)
            sections[section].append({"item": item, "locked": locked, "active": item.url == active})
    return sections


def _settings_tab_url(request: HttpRequest, organization: Any) -> str | None:
    """On a settings section a plugin serves at its own address (SSO, support access), the Settings tab.

    Asked only when no tab matched the path, and only of people who may open settings, so the
    other pages pay nothing for it.
    """
    if not allows(role_of(request.user, organization), Permission.MANAGE):
        return None
    if _active_url([s.url for s in hooks.settings_sections(request, organization)], request.path) is None:
        return None
    return reverse("web:organization_settings", args=[organization.slug])
