"""A deprecated operation says so in the schema and in every response's headers."""

from datetime import date

from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from core.api.versioning import deprecated


class OldThing(APIView):
    permission_classes = [AllowAny]

    @deprecated(since=date(2027, 1, 1), sunset=date(2027, 7, 1), instead="GET /api/v1/new-thing/")
    def get(self, request):
        return Response({"ok": True})


def test_a_deprecated_operation_is_marked_in_the_schema_with_its_replacement():
    schema = SchemaGenerator(patterns=[path("api/v1/old-thing/", OldThing.as_view())]).get_schema(public=True)
    operation = schema["paths"]["/api/v1/old-thing/"]["get"]
    assert operation["deprecated"] is True and "GET /api/v1/new-thing/" in operation["description"]


def test_a_deprecated_operation_answers_deprecation_sunset_and_link_headers():
    response = OldThing.as_view()(APIRequestFactory().get("/api/v1/old-thing/"))
    assert response["Deprecation"] == "@1798761600"
    assert response["Sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
    assert 'rel="deprecation"' in response["Link"]
