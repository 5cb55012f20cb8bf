from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from core.models import ApiToken, Invitation, Membership, Organization, Project, User
from core.roles import Role


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ``ModelSerializer`` that reads its model's fields once per class, not per request.

    ``get_fields`` depends only on the class (its ``Meta`` and declared fields), yet DRF rebuilds it
    from the model's options for every serializer instance (about 270 Python calls for a project).
    The fields built the first time are kept unbound and each instance gets a copy (DRF copies
    declared fields the same way), about half the cost.
    """

    def get_fields(self) -> dict[str, Any]:
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)


class UserSerializer(ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name", "is_staff", "date_joined"]
        read_only_fields = ["id", "email", "is_staff", "date_joined"]


class OrganizationSerializer(ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "name", "slug", "created_at", "role"]
        read_only_fields = ["id", "created_at", "role"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}

    def get_role(self, organization: Organization) -> str | None:
        roles = self.context.get("roles") or {}
        if organization.pk not in roles and "request" in self.context:
            roles[organization.pk] = (
                Membership.objects.filter(organization=organization, user=self.context["request"].user)
                .values_list("role", flat=True).first()
            )
        return roles.get(organization.pk)


@extend_schema_serializer(many=False)  # ``GET /me/`` is a ViewSet "list" that answers one object
class MeSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        pass


class PluginFailureSerializer(serializers.Serializer):
    hook = serializers.CharField()
    count = serializers.IntegerField(help_text="Failed calls counted by every process sharing the cache.")
    last_error = serializers.CharField()
    last_at = serializers.DateTimeField()


class PluginSignatureSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["trusted", "unknown-key", "invalid", "unsigned", "builtin"])
    vendor = serializers.CharField(allow_null=True, help_text="The vendor named in the signature.")
    key_id = serializers.CharField(allow_null=True)
    detail = serializers.CharField(help_text="The state in words, naming the changed file when invalid.")


class PluginSerializer(serializers.Serializer):
    name = serializers.CharField()
    distribution = serializers.CharField(allow_null=True)
    version = serializers.CharField(allow_null=True)
    requires = serializers.CharField(allow_null=True, help_text="The core versions the plugin supports.")
    status = serializers.ChoiceField(
        choices=["loaded", "degraded", "failed", "incompatible", "disabled", "refused"],
        help_text="degraded: loaded, but one of its isolated hooks raised in the last hour (see failures); "
                  "refused: not signed by a trusted vendor while ANNEAL_PLUGINS_REQUIRE_SIGNED=1.",
    )
    builtin = serializers.BooleanField()
    error = serializers.CharField(allow_null=True)
    hooks = serializers.ListField(child=serializers.CharField())
    signature = PluginSignatureSerializer(help_text="Whether a trusted vendor signed the installed files.")
    failures = PluginFailureSerializer(many=True, help_text="Isolated hooks of this plugin that raised.")


class EgressDestinationSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="SSO provider, Audit streaming, Webhook endpoint, Email server, ...")
    name = serializers.CharField()
    address = serializers.CharField(help_text="A URL or host:port the instance may connect to.")
    organization = serializers.CharField(help_text="Who configured it; empty for the instance itself.")
    plugin = serializers.CharField(help_text="The plugin that listed it (core for the core's own).")
    last_contact = serializers.DateTimeField(allow_null=True, help_text="When Anneal last connected; null: never.")


class MembershipSerializer(ModelSerializer):
    user = UserSerializer(read_only=True)
    email = serializers.EmailField(write_only=True, required=False)
    role = serializers.ChoiceField(choices=Role.choices())

    class Meta:
        model = Membership
        fields = ["id", "user", "email", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


class InvitationSerializer(ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices(), default=Role.MEMBER.value)
    status = serializers.CharField(read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "status", "invited_by", "created_at", "expires_at"]
        read_only_fields = ["id", "status", "invited_by", "created_at", "expires_at"]


class AcceptInvitationSerializer(serializers.Serializer):
    token = serializers.CharField()


class OrganizationSlugField(serializers.CharField):
    """A row's organization, as its slug (read only).

    When the serializer's context names the organization the rows belong to (the organization-
    scoped views do), its slug is used, so a list neither joins the organization nor loads it per
    row; any other row reads its own ``organization``.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, source="*", **kwargs)

    def to_representation(self, value: Any) -> str:
        try:
            owner_id, slug = self._owner
        except AttributeError:  # the first row: this field is a copy made for one serializer
            organization = self.context.get("organization")
            owner_id, slug = (organization.pk, organization.slug) if organization is not None else (None, "")
            self._owner = owner_id, slug
        if owner_id is not None and value.organization_id == owner_id:
            return slug
        return value.organization.slug


class ProjectSerializer(ModelSerializer):
    organization = OrganizationSlugField()

    class Meta:
        model = Project
        fields = ["id", "organization", "name", "slug", "description", "created_at"]
        read_only_fields = ["id", "organization", "created_at"]
        extra_kwargs = {"slug": {"required": False, "validators": []}}


class ApiTokenSerializer(ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "prefix", "created_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token value. It is shown only this once.")

    class Meta(ApiTokenSerializer.Meta):
        fields = ApiTokenSerializer.Meta.fields + ["token"]
