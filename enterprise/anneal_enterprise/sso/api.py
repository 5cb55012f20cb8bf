"""REST API for an organization's identity providers and SSO policy."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from anneal_enterprise import entitlements
from anneal_enterprise.sso import config, metadata_urls
from anneal_enterprise.sso.models import IdentityProvider, VerifiedDomain
from core import access
from core.models import User
from core.plugins import step_up_required
from core.roles import Permission


class IdentityProviderSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    client_secret = serializers.CharField(write_only=True, required=False, allow_blank=True,
                                          help_text="Stored encrypted; never returned.")
    client_secret_set = serializers.SerializerMethodField()
    urls = serializers.SerializerMethodField(help_text="Values to copy into the identity provider.")

    class Meta:
        model = IdentityProvider
        fields = ["id", "kind", "name", "enabled", "issuer", "client_id", "client_secret", "client_secret_set",
                  "scopes", "idp_metadata_url", "idp_metadata_xml", "sp_certificate", "allow_idp_initiated",
                  "clock_skew_seconds", "email_attribute", "name_attribute", "groups_attribute", "role_mapping",
                  "default_role", "require_mfa", "mfa_values", "urls", "metadata_refreshed_at"]
        read_only_fields = ["sp_certificate", "metadata_refreshed_at"]

    def get_client_secret_set(self, provider: IdentityProvider) -> bool:
        return bool(provider.client_secret_encrypted)

    def get_urls(self, provider: IdentityProvider) -> dict[str, str]:
        return metadata_urls.for_provider(provider)


@extend_schema_serializer(many=False)  # the policy is one object, although its route is a "list"
class SsoPolicySerializer(serializers.Serializer):
    enforce = serializers.BooleanField()
    require_for_tokens = serializers.BooleanField(default=False)
    break_glass = serializers.ListField(child=serializers.EmailField(), default=list,
                                        help_text="Emails of owners who may still sign in with a password.")
    state = serializers.CharField(read_only=True, help_text="enabled, read_only or unavailable (the license).")


class DomainSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField(help_text="pending or verified; only verified domains route and link.")
    record_name = serializers.CharField(read_only=True, help_text="Where to publish the DNS TXT record.")
    record_value = serializers.CharField(read_only=True, help_text="The TXT record's value.")

    class Meta:
        model = VerifiedDomain
        fields = ["id", "domain", "status", "record_name", "record_value", "created_at", "verified_at",
                  "last_checked_at", "last_error"]
        read_only_fields = ["created_at", "verified_at", "last_checked_at", "last_error"]

    def get_status(self, domain: VerifiedDomain) -> str:
        return "verified" if domain.is_verified else "pending"


def _organization(request: Request, slug: str, permission: Permission = Permission.MANAGE) -> Any:
    organization, _ = access.get_organization(request.user, slug, permission)
    return organization


class IdentityProviderViewSet(viewsets.ViewSet):
    """Identity providers of an organization (admins and owners). Secrets are write-only."""

    lookup_field = "public_id"
    lookup_value_regex = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"  # a UUID
    serializer_class = IdentityProviderSerializer
    queryset = IdentityProvider.objects.none()  # for the schema; every action scopes by organization

    def list(self, request: Request, organization_slug: str) -> Response:
        organization = _organization(request, organization_slug)
        providers = IdentityProvider.objects.filter(organization=organization)
        return Response(IdentityProviderSerializer(providers, many=True).data)

    def retrieve(self, request: Request, organization_slug: str, public_id: str) -> Response:
        organization = _organization(request, organization_slug)
        provider = get_object_or_404(IdentityProvider, organization=organization, public_id=public_id)
        return Response(IdentityProviderSerializer(provider).data)

    @step_up_required
    def create(self, request: Request, organization_slug: str) -> Response:
        organization = _organization(request, organization_slug)
        serializer = IdentityProviderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        kind = data.pop("kind")
        provider = config.create_provider(organization, kind, **data)
        return Response(IdentityProviderSerializer(provider).data, status=status.HTTP_201_CREATED)

    @step_up_required
    def partial_update(self, request: Request, organization_slug: str, public_id: str) -> Response:
        organization = _organization(request, organization_slug)
        provider = get_object_or_404(IdentityProvider, organization=organization, public_id=public_id)
        serializer = IdentityProviderSerializer(provider, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("kind", None)
        config.update_provider(provider, **data)
        return Response(IdentityProviderSerializer(provider).data)

    @step_up_required
    def destroy(self, request: Request, organization_slug: str, public_id: str) -> Response:
        organization = _organization(request, organization_slug)
        config.delete_provider(get_object_or_404(IdentityProvider, organization=organization, public_id=public_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class SsoPolicyViewSet(viewsets.ViewSet):
    """The organization's SSO enforcement (read by admins, changed by owners)."""

    serializer_class = SsoPolicySerializer

    def _body(self, organization: Any) -> dict[str, Any]:
        sso = config.settings_for(organization)
        return {"enforce": sso.enforce, "require_for_tokens": sso.require_for_tokens,
                "break_glass": sorted(sso.break_glass.values_list("email", flat=True)),
                "state": entitlements.state(entitlements.SSO, organization)}

    def list(self, request: Request, organization_slug: str) -> Response:
        return Response(self._body(_organization(request, organization_slug)))

    @extend_schema(responses={200: SsoPolicySerializer})
    @step_up_required
    def create(self, request: Request, organization_slug: str) -> Response:
        organization = _organization(request, organization_slug, Permission.OWN)
        serializer = SsoPolicySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        users = list(User.objects.filter(email__in=[e.lower() for e in data["break_glass"]]))
        config.update_settings(organization, data["enforce"], data["require_for_tokens"], users)
        return Response(self._body(organization))


class DomainViewSet(viewsets.ViewSet):
    """Email domains of an organization (admins and owners): add (pending), verify by DNS TXT record, remove."""

    lookup_value_regex = "[0-9]{1,18}"
    serializer_class = DomainSerializer
    queryset = VerifiedDomain.objects.none()  # for the schema; every action scopes by organization

    def list(self, request: Request, organization_slug: str) -> Response:
        organization = _organization(request, organization_slug)
        return Response(DomainSerializer(VerifiedDomain.objects.filter(organization=organization), many=True).data)

    def retrieve(self, request: Request, organization_slug: str, pk: str) -> Response:
        organization = _organization(request, organization_slug)
        return Response(DomainSerializer(get_object_or_404(VerifiedDomain, organization=organization, pk=pk)).data)

    @step_up_required
    def create(self, request: Request, organization_slug: str) -> Response:
        organization = _organization(request, organization_slug)
        serializer = DomainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = config.add_domain(organization, serializer.validated_data["domain"])
        return Response(DomainSerializer(record).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    @step_up_required
    def verify(self, request: Request, organization_slug: str, pk: str) -> Response:
        """Look up the domain's DNS TXT record now; 200 when verified, 400 with the reason when not."""
        organization = _organization(request, organization_slug)
        record = config.verify_domain(get_object_or_404(VerifiedDomain, organization=organization, pk=pk))
        return Response(DomainSerializer(record).data)

    @step_up_required
    def destroy(self, request: Request, organization_slug: str, pk: str) -> Response:
        organization = _organization(request, organization_slug)
        config.remove_domain(get_object_or_404(VerifiedDomain, organization=organization, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
