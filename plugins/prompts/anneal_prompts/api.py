"""REST API: ``/api/v1/plugins/prompts/...``. Viewers read, members write, admins delete."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core import access
from core.api.pagination import NumberedPagination, Pagination
from core.models import Project
from core.roles import Permission

from anneal_prompts import diff, search, services
from anneal_prompts.models import Prompt, PromptVersion

SEARCH = OpenApiParameter("search", str, description="Full-text search of name, description and current text.")



MAX_VERSION = 2**31 - 1  # the version column's range on every database


def _version_number(text: str) -> int:
    """A version number from the URL or query, refused with a 400 unless a whole number in range."""
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_VERSION:
        raise ValidationError({"detail": [f"Version numbers are whole numbers from 1 to {MAX_VERSION}."]})
    return int(text)

class PromptSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    body = serializers.CharField(source="current_version.body", trim_whitespace=False,
                                 help_text="The current text. Changing it saves a new version.")
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=300,
                                 help_text="What changed and why, stored with the new version.")
    version = serializers.IntegerField(source="current_version.number", read_only=True)

    class Meta:
        model = Prompt
        fields = ["id", "project", "name", "slug", "description", "body", "note", "version", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "project", "version", "created_at", "updated_at"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}


class PromptUpdateSerializer(PromptSerializer):
    class Meta(PromptSerializer.Meta):
        read_only_fields = PromptSerializer.Meta.read_only_fields + ["slug"]
        extra_kwargs = {"body": {"required": False}}


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)

    class Meta:
        model = PromptVersion
        fields = ["number", "body", "note", "restored_from", "created_by", "created_at"]


class RollbackSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version whose text becomes current again.")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class DiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    diff = serializers.CharField(help_text="A unified diff, as `diff -u` prints it.")


def _invalid(error: services.PromptError) -> ValidationError:
    return ValidationError({error.field or "detail": [error.message]})


READ_ACTIONS = {"list", "retrieve", "versions", "version", "diff"}
DELETE_ACTIONS = {"destroy"}


class OrganizationScoped:
    """Resolves the organization (404 for non-members) and checks the role the action needs."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        action_name = getattr(self, "action", None)
        permission = (Permission.VIEW if action_name in READ_ACTIONS
                      else Permission.MANAGE if action_name in DELETE_ACTIONS else Permission.WRITE)
        self.organization, self.role = access.get_organization(request.user, kwargs["organization_slug"],
                                                               Permission.VIEW)
        access.require(request.user, self.organization, permission)


class VersionPagination(Pagination):
    ordering = "-number"


class OrganizationPromptViewSet(OrganizationScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every prompt of an organization, across its projects."""

    serializer_class = PromptSerializer
    pagination_class = NumberedPagination  # ordered by relevance when searching

    def get_queryset(self) -> QuerySet[Prompt]:
        prompts = Prompt.objects.filter(project__organization=self.organization).select_related(
            "project", "current_version")
        return search.search(prompts, self.request.query_params.get("search", ""))

    @extend_schema(parameters=[SEARCH])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class PromptViewSet(OrganizationScoped, viewsets.ModelViewSet):
    """Prompts of a project. Each change of ``body`` (and each rollback) saves a new immutable version."""

    serializer_class = PromptSerializer
    queryset = Prompt.objects.none()  # for the schema; get_queryset() scopes to the project
    lookup_field = "slug"
    lookup_url_kwarg = "prompt_slug"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @property
    def pagination_class(self) -> type[Any]:  # type: ignore[override]
        """Versions (unbounded) by a keyset cursor; prompts, ordered by relevance when searching, by page."""
        return VersionPagination if getattr(self, "action", None) == "versions" else NumberedPagination

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.project = get_object_or_404(Project, organization=self.organization, slug=kwargs["project_slug"])

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PromptUpdateSerializer if self.action == "partial_update" else PromptSerializer

    def get_queryset(self) -> QuerySet[Prompt]:
        prompts = Prompt.objects.filter(project=self.project).select_related("project", "current_version")
        return search.search(prompts, self.request.query_params.get("search", ""))

    @extend_schema(parameters=[SEARCH])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PromptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            prompt = services.create_prompt(self.project, data["name"], data["current_version"]["body"],
                                            slug=data.get("slug"), description=data.get("description", ""),
                                            note=data.get("note", ""), author=request.user)
        except services.PromptError as exc:
            raise _invalid(exc) from None
        return Response(PromptSerializer(prompt).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: serializers.Serializer) -> None:
        prompt, data = serializer.instance, dict(serializer.validated_data)
        note = data.pop("note", "")
        body = data.pop("current_version", {}).get("body")
        try:
            if data:
                services.update_details(prompt, **data)
            if body is not None:
                services.edit_prompt(prompt, body, note=note, author=self.request.user)
        except services.PromptError as exc:
            raise _invalid(exc) from None

    def perform_destroy(self, instance: Prompt) -> None:
        services.delete_prompt(instance)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Every version of the prompt, newest first."""
        versions = self.get_object().versions.select_related("created_by")
        page = self.paginate_queryset(versions)
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(responses=VersionSerializer)
    @action(detail=True, methods=["get"], url_path=r"versions/(?P<number>[0-9]+)")
    def version(self, request: Request, number: str, *args: Any, **kwargs: Any) -> Response:
        version = self.get_object().versions.filter(number=_version_number(number)).select_related("created_by").first()
        if version is None:
            raise NotFound(f"This prompt has no version {number}.")
        return Response(VersionSerializer(version).data)

    @extend_schema(
        parameters=[OpenApiParameter("from", int, description="Older version (default: the one before `to`)."),
                    OpenApiParameter("to", int, description="Newer version (default: the current one).")],
        responses=DiffSerializer,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """A unified diff between two versions."""
        prompt = self.get_object()
        to_number = _version_number(request.query_params.get("to") or str(prompt.current_version.number))
        from_number = _version_number(request.query_params.get("from") or str(max(1, to_number - 1)))
        versions = {v.number: v for v in prompt.versions.filter(number__in=[from_number, to_number])}
        missing = [n for n in (from_number, to_number) if n not in versions]
        if missing:
            raise NotFound(f"This prompt has no version {missing[0]}.")
        return Response(DiffSerializer({"from_version": from_number, "to_version": to_number,
                                        "diff": diff.unified(versions[from_number], versions[to_number])}).data)

    @extend_schema(request=RollbackSerializer, responses={201: VersionSerializer})
    @action(detail=True, methods=["post"])
    def rollback(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Make an old version's text current again; this saves a new version."""
        serializer = RollbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version = services.rollback(self.get_object(), serializer.validated_data["version"],
                                        note=serializer.validated_data.get("note", ""), author=request.user)
        except services.PromptError as exc:
            if exc.code == "not_found":
                raise NotFound(exc.message) from None
            raise _invalid(exc) from None
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


organization_router = SimpleRouter()
organization_router.register("prompts", OrganizationPromptViewSet, basename="organization-prompt")
project_router = SimpleRouter()
project_router.register("prompts", PromptViewSet, basename="prompt")

urlpatterns = [
    path("organizations/<slug:organization_slug>/", include(organization_router.urls)),
    path("organizations/<slug:organization_slug>/projects/<slug:project_slug>/", include(project_router.urls)),
]
