"""Template context shared by every page: navigation from ``anneal_navigation``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core import __version__, features
from core.plugins import hooks


def anneal(request: HttpRequest) -> dict[str, Any]:
    def navigation() -> dict[str, list]:
        if not getattr(request, "user", None) or not request.user.is_authenticated:
            return {}
        organization = getattr(request, "organization", None)
        sections: dict[str, list] = {"main": [], "organization": [], "admin": []}
        for item in sorted(hooks.navigation(request, organization), key=lambda i: (i.order, i.label)):
            if item.section == "organization" and organization is None:
                continue
            locked = bool(item.feature) and not features.has(item.feature, organization)
            sections.setdefault(item.section, []).append({"item": item, "locked": locked})
        return sections

    return {"anneal_version": __version__, "anneal_nav": navigation}
