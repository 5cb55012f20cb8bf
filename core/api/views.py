from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import IsAdminUser
from rest_framework.request import Request
from rest_framework.response import Response

from core import access
from core.api import serializers as s
from core.models import ApiToken, Invitation, Membership, Organization, Project, User
from core.roles import Permission, Role
from core.mfa import step_up
from core.services import invitations, organizations, projects, tokens, users
from core.services.errors import ServiceError


class MeView(viewsets.ViewSet):
    @extend_schema(responses=s.MeSerializer, operation_id="me_retrieve")
    def list(self, request: Request) -> Response:
        """The signed-in user."""
        return Response(s.MeSerializer(request.user).data)

    @extend_schema(request=s.MeSerializer, responses=s.MeSerializer, operation_id="me_partial_update")
    def partial_update(self, request: Request) -> Response:
        """Change your profile (your name), as the Profile page does."""
        serializer = s.MeSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = users.update_user(request.user, **serializer.validated_data)
        return Response(s.MeSerializer(user).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                      viewsets.GenericViewSet):
    """Your personal API tokens. Deleting a token revokes it."""

    cursor_ordering = "-created_at"
    serializer_class = s.ApiTokenSerializer

    def get_queryset(self) -> QuerySet[ApiToken]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organization
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    @extend_schema(request=s.ApiTokenSerializer, responses={201: s.NewApiTokenSerializer})
    def create(self, request: Request) -> Response:
        step_up.require(request)  # a browser session creating a token; a token-authenticated request is not asked
        serializer = s.ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, value = tokens.create_token(request.user, serializer.validated_data["name"],
                                           serializer.validated_data.get("expires_at"))
        token.token = value
        return Response(s.NewApiTokenSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: ApiToken) -> None:
        tokens.revoke_token(instance)


class OrganizationViewSet(viewsets.ModelViewSet):
    """Organizations you belong to. A non-member gets 404 for an organization, never 403."""

    cursor_ordering = "slug"
    serializer_class = s.OrganizationSerializer
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Organization]:
        queryset = access.visible_organizations(self.request.user)
        search = self.request.query_params.get("search")
        return queryset.filter(Q(name__icontains=search) | Q(slug__icontains=search)) if search else queryset

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["roles"] = dict(
            Membership.objects.filter(user=self.request.user).values_list("organization_id", "role")
        )
        return context

    def get_object(self) -> Organization:
        permission = {"partial_update": Permission.MANAGE, "destroy": Permission.OWN}.get(self.action, Permission.VIEW)
        organization, _ = access.get_organization(self.request.user, self.kwargs["slug"], permission)
        return organization

    @extend_schema(parameters=[OpenApiParameter("search", str, description="Match name or slug.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: s.OrganizationSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = organizations.create_organization(self.request.user, data["name"], data.get("slug"))

    def perform_update(self, serializer: s.OrganizationSerializer) -> None:
        serializer.instance = organizations.update_organization(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Organization) -> None:
        organizations.delete_organization(instance)


class OrganizationScoped:
    """Resolves ``self.organization`` (and the user's role, in the same query) from the URL once
    per request and checks the role each action needs. Querysets start from
    ``self.organization``'s related managers, so each row's ``organization`` is that same object,
    neither joined nor built again per row; serializers find it in their context as well."""

    write_permission = Permission.WRITE
    delete_permission = Permission.MANAGE
    read_permission = Permission.VIEW
    # which of the three permissions each action needs; any other action needs MANAGE
    ACTION_NEEDS = {"list": "read_permission", "retrieve": "read_permission", "create": "write_permission",
                    "partial_update": "write_permission", "update": "write_permission",
                    "destroy": "delete_permission"}

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["organization"] = getattr(self, "organization", None)
        return context

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        needs = self.ACTION_NEEDS.get(self.action)  # type: ignore[attr-defined]
        permission = getattr(self, needs) if needs else Permission.MANAGE
        self.organization, self.role = access.get_organization(
            request.user, kwargs["organization_slug"], permission
        )


class ProjectViewSet(OrganizationScoped, viewsets.ModelViewSet):
    """Projects of an organization: viewers read, members write, admins delete."""

    cursor_ordering = "slug"
    serializer_class = s.ProjectSerializer
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Project]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organization
            return Project.objects.none()
        if self.action == "list":  # rows serialized with the context's organization: nothing per row
            queryset = Project.objects.filter(organization=self.organization)
        else:  # a single project's services and events read project.organization: this same object
            queryset = self.organization.projects.all()
        search = self.request.query_params.get("search")
        return queryset.filter(Q(name__icontains=search) | Q(description__icontains=search)) if search else queryset

    @extend_schema(parameters=[OpenApiParameter("search", str, description="Match name or description.")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def perform_create(self, serializer: s.ProjectSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = projects.create_project(
            self.organization, data["name"], data.get("slug"), data.get("description", "")
        )

    def perform_update(self, serializer: s.ProjectSerializer) -> None:
        serializer.instance = projects.update_project(serializer.instance, **serializer.validated_data)

    def perform_destroy(self, instance: Project) -> None:
        projects.delete_project(instance)


class MembershipViewSet(OrganizationScoped, viewsets.ModelViewSet):
    """Members of an organization. Admins add members and change roles; only owners grant or
    take away ownership. Any member may remove themselves."""

    cursor_ordering = "user_id"
    serializer_class = s.MembershipSerializer
    write_permission = Permission.MANAGE
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    lookup_value_regex = "[0-9]{1,18}"  # any other id is a 404 from the URL resolver, never a query

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.perform_authentication(request)  # who asks, before looking up anything they name
        if request.method == "DELETE" and kwargs.get("pk") and request.user.is_authenticated:
            membership = Membership.objects.filter(pk=kwargs["pk"], user=request.user).first()
            if membership is not None:  # leaving is allowed to every member
                self.delete_permission = Permission.VIEW
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Membership]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organization
            return Membership.objects.none()
        queryset = self.organization.memberships.select_related("user")
        role = self.request.query_params.get("role")
        return queryset.filter(role=role) if role else queryset

    @extend_schema(parameters=[OpenApiParameter("role", str, enum=[r.value for r in Role])])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def _guard_owner(self, *roles: str) -> None:
        if Role.OWNER.value in roles and self.role != Role.OWNER:
            raise access.NotAllowed(self.role, Permission.OWN)

    def perform_create(self, serializer: s.MembershipSerializer) -> None:
        data = serializer.validated_data
        if not data.get("email"):
            raise ServiceError("Give the email address of an existing user.", field="email")
        user = User.objects.filter(email=data["email"].lower(), is_active=True).first()
        if user is None:
            raise ServiceError(f"No active user has the email {data['email']}; invite them instead.", field="email")
        self._guard_owner(data["role"])
        serializer.instance = organizations.add_member(self.organization, user, data["role"])

    def perform_update(self, serializer: s.MembershipSerializer) -> None:
        if "role" not in serializer.validated_data:
            raise ServiceError("Give the member's new role.", code="required", field="role")
        self._guard_owner(serializer.instance.role, serializer.validated_data["role"])
        serializer.instance = organizations.change_role(serializer.instance, serializer.validated_data["role"])

    def perform_destroy(self, instance: Membership) -> None:
        if instance.user_id != self.request.user.pk:
            self._guard_owner(instance.role)
        organizations.remove_member(instance)


class InvitationViewSet(OrganizationScoped, mixins.ListModelMixin, mixins.CreateModelMixin,
                        mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Invitations to an organization, managed by its admins. Deleting one revokes it."""

    cursor_ordering = "-created_at"
    serializer_class = s.InvitationSerializer
    read_permission = Permission.MANAGE
    write_permission = Permission.MANAGE

    def get_queryset(self) -> QuerySet[Invitation]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no organization
            return Invitation.objects.none()
        return self.organization.invitations.select_related("invited_by")

    def perform_create(self, serializer: s.InvitationSerializer) -> None:
        data = serializer.validated_data
        if data["role"] == Role.OWNER.value and self.role != Role.OWNER:
            raise access.NotAllowed(self.role, Permission.OWN)
        serializer.instance, _ = invitations.invite(self.organization, data["email"], data["role"], self.request.user)

    def perform_destroy(self, instance: Invitation) -> None:
        invitations.revoke(instance)


class AcceptInvitationView(viewsets.ViewSet):
    @extend_schema(request=s.AcceptInvitationSerializer, responses={200: s.MembershipSerializer})
    def create(self, request: Request) -> Response:
        serializer = s.AcceptInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitations.find_invitation(serializer.validated_data["token"])
        if invitation is None:
            raise ServiceError("This invitation link is not valid.", code="not_found", field="token")
        membership = invitations.accept(invitation, request.user)
        return Response(s.MembershipSerializer(membership).data)


@extend_schema(responses=s.PluginSerializer(many=True))
@api_view(["GET"])
@permission_classes([IsAdminUser])
def plugins_view(request: Request) -> Response:
    """Every installed plugin with its version, supported core versions, status and hooks."""
    from core.plugins.manager import summary

    return Response(summary())


@extend_schema(responses=s.EgressDestinationSerializer(many=True))
@api_view(["GET"])
@permission_classes([IsAdminUser])
def egress_view(request: Request) -> Response:
    """The egress ledger: every destination the instance may connect to, with its last contact (staff only)."""
    from core.egress import ledger

    return Response(s.EgressDestinationSerializer([
        {"category": row.destination.category, "name": row.destination.name, "address": row.destination.address,
         "organization": row.destination.organization, "plugin": row.plugin, "last_contact": row.last_contact}
        for row in ledger()], many=True).data)
