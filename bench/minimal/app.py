"""Token authentication, serializer and the list view of the minimal application."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from rest_framework import authentication, exceptions, generics, pagination, serializers

from bench.minimal.models import Organization, Project, Token


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <token>``: one query for the token and its user."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer":
            return None
        digest = hashlib.sha256(header[1]).hexdigest()
        token = (Token.objects.select_related("user")
                 .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
                         token_hash=digest, revoked_at__isnull=True, user__is_active=True)
                 .first())
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token


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
