"""``GET /api/v1/organizations/<slug>/usage/?days=30``: the numbers of the organization's Usage page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import metering
from core.api.views import OrganizationScoped

PERIODS = (7, 30, 90)

USAGE = inline_serializer("OrganizationUsage", {
    "first_day": serializers.DateField(), "last_day": serializers.DateField(),
    "meters": serializers.ListField(child=serializers.DictField()),
})


class UsageView(OrganizationScoped, APIView):
    """Each meter's daily quantities for the organization (admins); the same as the Usage page and its CSV."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.action = "usage"  # no list/retrieve mapping: the organization's admins only
        super().initial(request, *args, **kwargs)

    @extend_schema(parameters=[OpenApiParameter("days", int, enum=list(PERIODS),
                                                description="The period ending today (UTC); 30 by default.")],
                   responses={200: USAGE})
    def get(self, request: Request, organization_slug: str) -> Response:
        days = request.query_params.get("days", "30")
        length = int(days) if days in {str(period) for period in PERIODS} else 30  # "²".isdigit() is true
        last = metering.today()
        first = last - timedelta(days=length - 1)
        return Response({"first_day": first.isoformat(), "last_day": last.isoformat(),
                         "meters": [item.as_json() for item in metering.series(self.organization, first, last)]})
