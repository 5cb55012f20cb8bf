"""Which organizations a plugin is on for: instance staff set it, organization owners may switch it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import access
from core.api.errors import Problem
from core.models import PluginAvailability
from core.roles import Permission, Role
from core.services import plugin_availability
from core.services.errors import ServiceError


def _installed(name: str) -> None:
    try:
        plugin_availability.installed_plugin(name)
    except ServiceError as exc:
        raise NotFound(exc.message) from None


class PluginAvailabilitySerializer(serializers.Serializer):
    plugin = serializers.CharField(read_only=True)
    mode = serializers.ChoiceField(choices=[m for m, _ in PluginAvailability.MODES],
                                   help_text="all: on for every organization; selected: only for `organizations`.")
    owners_may_enable = serializers.BooleanField(default=False,
                                                 help_text="Organization owners may switch it on or off themselves.")
    organizations = serializers.ListField(child=serializers.SlugField(), required=False,
                                          help_text="Slugs of the organizations it is on for (mode selected).")


class OrganizationPluginSerializer(serializers.Serializer):
    plugin = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField(help_text="Whether the plugin is on for this organization.")
    restricted = serializers.BooleanField(read_only=True,
                                          help_text="false: on for every organization, nobody switches it per organization.")
    owners_may_enable = serializers.BooleanField(read_only=True)


class OrganizationPluginChangeSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


@extend_schema(methods=["GET"], responses=PluginAvailabilitySerializer)
@extend_schema(methods=["PUT"], request=PluginAvailabilitySerializer, responses=PluginAvailabilitySerializer)
@api_view(["GET", "PUT"])
@permission_classes([IsAdminUser])
def plugin_availability_view(request: Request, name: str) -> Response:
    """Which organizations a plugin is on for (staff only). Events: ``plugin.availability_changed``."""
    _installed(name)
    if request.method == "PUT":
        serializer = PluginAvailabilitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plugin_availability.set_availability(name, data["mode"], data["owners_may_enable"], data.get("organizations"))
    return Response(PluginAvailabilitySerializer(plugin_availability.availability(name)).data)


@extend_schema(responses=OrganizationPluginSerializer(many=True))
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def organization_plugins_view(request: Request, organization_slug: str) -> Response:
    """The installed plugins and whether each is on for this organization (any member)."""
    organization, _ = access.get_organization(request.user, organization_slug, Permission.VIEW)
    return Response(OrganizationPluginSerializer(plugin_availability.for_organization(organization), many=True).data)


class OrganizationPluginView(APIView):
    permission_classes = [IsAuthenticated]
    error_statuses = (409,)  # the plugin is on for every organization

    @extend_schema(request=OrganizationPluginChangeSerializer, responses=OrganizationPluginSerializer)
    def put(self, request: Request, organization_slug: str, name: str) -> Response:
        """Switch a plugin on or off for this organization.

        Instance staff may for any plugin restricted to selected organizations; an owner may when
        staff let owners enable it. Events: ``plugin.enabled``, ``plugin.disabled``.
        """
        organization, role = access.get_organization(request.user, organization_slug, Permission.VIEW)
        _installed(name)
        serializer = OrganizationPluginChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = next(r for r in plugin_availability.for_organization(organization) if r["plugin"] == name)
        if not row["restricted"]:
            raise Problem(409, f"The {name} plugin is on for every organization; instance staff choose whether "
                               "it is on only for selected ones.", "not_restricted")
        if not request.user.is_staff:
            if role != Role.OWNER:
                raise access.NotAllowed(role, Permission.OWN)
            if not row["owners_may_enable"]:
                raise Problem(403, f"Only instance staff switch the {name} plugin on or off for an organization.",
                              "staff_only")
        plugin_availability.set_enabled(name, organization, serializer.validated_data["enabled"], by=request.user)
        row = next(r for r in plugin_availability.for_organization(organization) if r["plugin"] == name)
        return Response(OrganizationPluginSerializer(row).data)


class PluginSettingSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["text", "secret", "bool", "int", "choice", "url"])
    help = serializers.CharField(allow_blank=True)
    required = serializers.BooleanField()
    choices = serializers.ListField(child=serializers.CharField())
    default = serializers.JSONField(allow_null=True)
    value = serializers.JSONField(allow_null=True, help_text="The value in force; always null for a secret.")
    is_set = serializers.BooleanField(help_text="Whether a value is stored here (else the default applies).")


class PluginSettingsChangeSerializer(serializers.Serializer):
    values = serializers.DictField(child=serializers.JSONField(allow_null=True),
                                   help_text="Setting name -> new value; null resets it (or removes a secret).")


class _SettingsView(APIView):
    scope = "instance"

    def _target(self, request: Request, **kwargs: str) -> tuple[str, object]:
        raise NotImplementedError

    def _answer(self, name: str, organization: object) -> Response:
        from core.services import plugin_settings as settings_service

        return Response(PluginSettingSerializer(settings_service.describe(name, self.scope, organization),
                                                many=True).data)

    def get(self, request: Request, **kwargs: str) -> Response:
        name, organization = self._target(request, **kwargs)
        return self._answer(name, organization)

    def patch(self, request: Request, **kwargs: str) -> Response:
        from core.services import plugin_settings as settings_service

        name, organization = self._target(request, **kwargs)
        serializer = PluginSettingsChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        settings_service.save(name, self.scope, serializer.validated_data["values"], organization)
        return self._answer(name, organization)


def _with_settings(name: str, scope: str) -> str:
    from core.plugins import settings as plugin_settings

    if name not in plugin_settings.plugins_with_settings(scope):
        raise NotFound(f"No plugin {name!r} with {scope} settings.")
    return name


@extend_schema_view(
    get=extend_schema(responses=PluginSettingSerializer(many=True)),
    patch=extend_schema(request=PluginSettingsChangeSerializer, responses=PluginSettingSerializer(many=True)),
)
class InstancePluginSettingsView(_SettingsView):
    """A plugin's instance-wide settings (staff only). Events: ``plugin.settings_changed``."""

    permission_classes = [IsAdminUser]
    scope = "instance"

    def _target(self, request: Request, **kwargs: str) -> tuple[str, object]:
        return _with_settings(kwargs["name"], self.scope), None


@extend_schema_view(
    get=extend_schema(responses=PluginSettingSerializer(many=True)),
    patch=extend_schema(request=PluginSettingsChangeSerializer, responses=PluginSettingSerializer(many=True)),
)
class OrganizationPluginSettingsView(_SettingsView):
    """A plugin's settings for one organization (admins and owners). Events: ``plugin.settings_changed``."""

    permission_classes = [IsAuthenticated]
    scope = "organization"

    def _target(self, request: Request, **kwargs: str) -> tuple[str, object]:
        from core.plugins import enablement

        organization, _ = access.get_organization(request.user, kwargs["organization_slug"], Permission.MANAGE)
        name = _with_settings(kwargs["name"], self.scope)
        if not enablement.is_on(name, organization):
            raise NotFound(f"The {name} plugin is not on for this organization.")
        return name, organization
