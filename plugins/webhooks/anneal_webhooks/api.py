"""REST API: ``/api/v1/plugins/webhooks/...``, for an organization's admins and owners."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core import access
from core.roles import Permission

from anneal_webhooks import services
from anneal_webhooks.models import Delivery, DeliveryAttempt, Endpoint


class EndpointSerializer(serializers.ModelSerializer):
    event_types = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=False,
                                        help_text='Event type names, or ["*"] for every type.')

    class Meta:
        model = Endpoint
        fields = ["id", "url", "description", "event_types", "is_active", "disabled_reason",
                  "consecutive_failures", "created_at"]
        read_only_fields = ["id", "disabled_reason", "consecutive_failures", "created_at"]
        extra_kwargs = {"url": {"validators": []}}


class NewEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret. It is shown only this once.")

    class Meta(EndpointSerializer.Meta):
        fields = EndpointSerializer.Meta.fields + ["secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "attempted_at", "response_code", "error", "duration_ms"]


class DeliverySerializer(serializers.ModelSerializer):
    log = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = ["id", "event_id", "event_type", "status", "attempts", "next_attempt_at", "last_response_code",
                  "last_error", "created_at", "delivered_at", "log"]


class EventTypeSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.CharField()


def _invalid(error: services.WebhookError) -> ValidationError:
    return ValidationError({error.field or "detail": [error.message]})


class AdminScoped:
    """Resolves ``self.organization``; non-members get 404, members below admin 403."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.organization, _ = access.get_organization(request.user, kwargs["organization_slug"], Permission.VIEW)
        access.require(request.user, self.organization, Permission.MANAGE)


class EndpointViewSet(AdminScoped, viewsets.ModelViewSet):
    """Webhook endpoints of an organization. The signing secret is returned only on creation and rotation."""

    cursor_ordering = "id"
    serializer_class = EndpointSerializer
    queryset = Endpoint.objects.none()  # for the schema; get_queryset() scopes to the organization
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Endpoint]:
        return Endpoint.objects.filter(organization=self.organization)

    @extend_schema(request=EndpointSerializer, responses={201: NewEndpointSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = EndpointSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            endpoint = services.create_endpoint(self.organization, data["url"], data["event_types"],
                                                data.get("description", ""), created_by=request.user)
        except services.WebhookError as exc:
            raise _invalid(exc) from None
        return Response(NewEndpointSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: EndpointSerializer) -> None:
        try:
            serializer.instance = services.update_endpoint(serializer.instance, **serializer.validated_data)
        except services.WebhookError as exc:
            raise _invalid(exc) from None

    def perform_destroy(self, instance: Endpoint) -> None:
        services.delete_endpoint(instance)

    @extend_schema(request=None, responses={200: NewEndpointSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Replace the signing secret; the response holds the new one."""
        return Response(NewEndpointSerializer(services.rotate_secret(self.get_object())).data)


class DeliveryViewSet(AdminScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log of one endpoint, newest first, with each attempt's response code."""

    cursor_ordering = "-created_at"
    serializer_class = DeliverySerializer
    queryset = Delivery.objects.none()  # for the schema; get_queryset() scopes to the endpoint

    def get_queryset(self) -> QuerySet[Delivery]:
        endpoint = get_object_or_404(Endpoint, organization=self.organization, pk=self.kwargs["endpoint_pk"])
        queryset = endpoint.deliveries.prefetch_related("log")
        wanted = self.request.query_params.get("status")
        return queryset.filter(status=wanted) if wanted else queryset

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Queue the delivery again, as the endpoint page's "Redeliver" button does."""
        delivery = self.get_object()
        services.redeliver(delivery)
        delivery.refresh_from_db()
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=EventTypeSerializer(many=True))
@api_view(["GET"])
def event_types(request: Request) -> Response:
    """Every event type an endpoint can subscribe to."""
    return Response(EventTypeSerializer(list(services.subscribable_event_types().values()), many=True).data)


router = SimpleRouter()
router.register("endpoints", EndpointViewSet, basename="endpoint")
deliveries = SimpleRouter()
deliveries.register("deliveries", DeliveryViewSet, basename="delivery")

urlpatterns = [
    path("event-types/", event_types, name="event-types"),
    path("organizations/<slug:organization_slug>/", include(router.urls)),
    path("organizations/<slug:organization_slug>/endpoints/<int:endpoint_pk>/", include(deliveries.urls)),
]
