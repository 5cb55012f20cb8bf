"""Template context shared by every page: navigation from ``anneal_navigation``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core import __version__, features
from core.plugins import hooks


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

    return {"anneal_version": __version__, "anneal_nav": navigation}


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
        for item in in_section:
            locked = bool(item.feature) and not features.has(item.feature, organization)
            sections[section].append({"item": item, "locked": locked, "active": item.url == active})
    return sections
