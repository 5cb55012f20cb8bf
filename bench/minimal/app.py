"""The serializer and the list view of the minimal application."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from rest_framework import generics, pagination, serializers

from bench.minimal.models import Organization, Project


class ProjectSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "organization", "name", "slug", "description", "created_at"]

    def get_organization(self, project: Project) -> str:
        return self.context["view"].organization.slug


class FirstPages(pagination.CursorPagination):
    ordering = "slug"


class ProjectList(generics.ListAPIView):
    serializer_class = ProjectSerializer
    pagination_class = FirstPages

    def get_queryset(self) -> QuerySet[Project]:
        organization = Organization.objects.filter(slug=self.kwargs["slug"],
                                                   memberships__user=self.request.user).first()
        if organization is None:
            raise Http404
        self.organization = organization
        return Project.objects.filter(organization=organization)
