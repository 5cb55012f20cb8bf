"""Acme Insights, Acme Cloud's own licensed feature: a page and an API route gated by the license.

The feature is declared like Anneal Enterprise declares ``sso``; ``core.features.has`` asks the
license in force (the enterprise package answers for the features a product's keys may grant).
Where the feature is off, the page shows the ``feature_unavailable`` slot, which Acme fills with
its own upgrade message; the enterprise package adds the trial button and the purchase links.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from acme_product.licensing import INSIGHTS
from core import features
from core.api.errors import Problem
from core.models import Membership, Organization, Project
from core.plugins import Feature, NavItem, hookimpl

DESCRIPTION = "Charts of how your teams use Acme Cloud: members, projects and organizations at a glance."


def numbers() -> dict[str, int]:
    return {"organizations": Organization.objects.count(), "projects": Project.objects.count(),
            "members": Membership.objects.count()}


@login_required(login_url="web:sign_in")
def insights_page(request: HttpRequest) -> HttpResponse:
    enabled = features.has(INSIGHTS)
    return render(request, "acme_product/insights.html",
                  {"enabled": enabled, "numbers": numbers() if enabled else None, "feature": INSIGHTS})


class InsightsView(APIView):
    """``GET``: the insights numbers; 403 with ``code`` ``feature_unavailable`` without a license for them."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        if not features.has(INSIGHTS):
            raise Problem(403, "Acme Insights needs an Acme Cloud Enterprise license.", "feature_unavailable")
        return Response(numbers())


@hookimpl
def anneal_features() -> list[Feature]:
    return [Feature(INSIGHTS, DESCRIPTION, edition="enterprise")]


@hookimpl
def anneal_urlpatterns() -> list[Any]:
    return [path("insights/", insights_page, name="insights")]


@hookimpl
def anneal_api_urlpatterns() -> list[Any]:
    return [path("insights/", InsightsView.as_view(), name="insights")]


@hookimpl
def anneal_navigation(request: HttpRequest, organization: Any) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    return [NavItem("Insights", reverse("acme:insights"), feature=INSIGHTS)]


@hookimpl
def anneal_template_slot(slot: str, request: HttpRequest, context: dict[str, Any]) -> str | None:
    if slot == "feature_unavailable" and context.get("feature") == INSIGHTS:
        return format_html('<p class="acme-upgrade" data-testid="acme-upgrade">{}</p>',
                           "See which teams use what, week by week: Acme Insights comes with Acme Cloud Enterprise.")
    return None
