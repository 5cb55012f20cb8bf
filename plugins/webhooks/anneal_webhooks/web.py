"""The webhook pages of an organization, for its admins and owners."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from core.plugins.web import keyset_page, object_or_404, organization_view
from core.roles import Permission

from anneal_webhooks import services
from anneal_webhooks.models import Delivery, Endpoint

NEW_SECRET_KEY = "anneal_webhooks_new_secret"


def _event_type_groups() -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for event_type in services.subscribable_event_types().values():
        groups.setdefault(event_type.category, []).append(event_type)
    return dict(sorted(groups.items()))


def _chosen_types(request: HttpRequest) -> list[str]:
    return ["*"] if request.POST.get("all_events") else request.POST.getlist("event_types")


@organization_view(Permission.MANAGE)
def endpoints(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    if request.method == "POST":
        try:
            endpoint = services.create_endpoint(organization, request.POST.get("url", ""), _chosen_types(request),
                                                request.POST.get("description", ""), created_by=request.user)
        except services.WebhookError as exc:
            messages.error(request, exc.message)
        else:
            request.session[NEW_SECRET_KEY] = endpoint.secret
            messages.success(request, f"Subscribed {endpoint.url}.")
            return redirect("webhooks:endpoint", organization.slug, endpoint.pk)
    return render(request, "anneal_webhooks/endpoints.html", {
        "organization": organization, "groups": _event_type_groups(), "posted": request.POST,
        "selected": _chosen_types(request) if request.method == "POST" else [],
        "endpoints": Endpoint.objects.filter(organization=organization),
    })


def _endpoint_action(request: HttpRequest, endpoint: Endpoint) -> HttpResponse:
    action = request.POST.get("action")
    slug = request.organization.slug
    if action == "delete":
        services.delete_endpoint(endpoint)
        messages.success(request, f"Removed {endpoint.url}.")
        return redirect("webhooks:endpoints", slug)
    if action == "rotate":
        services.rotate_secret(endpoint)
        request.session[NEW_SECRET_KEY] = endpoint.secret
        messages.success(request, "A new signing secret is in use; the old one no longer signs deliveries.")
    elif action in {"enable", "disable"}:
        services.update_endpoint(endpoint, is_active=action == "enable")
        messages.success(request, f"{'Enabled' if action == 'enable' else 'Disabled'} {endpoint.url}.")
    elif action == "redeliver":
        services.redeliver(object_or_404(Delivery, endpoint=endpoint, pk=request.POST.get("delivery")))
        messages.success(request, "The delivery was queued again.")
    else:
        services.update_endpoint(endpoint, url=request.POST.get("url", endpoint.url),
                                 description=request.POST.get("description", endpoint.description),
                                 event_types=_chosen_types(request))
        messages.success(request, "Saved.")
    return redirect("webhooks:endpoint", slug, endpoint.pk)


@organization_view(Permission.MANAGE)
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(Endpoint, organization=request.organization, pk=pk)
    if request.method == "POST":
        try:
            return _endpoint_action(request, endpoint)
        except services.WebhookError as exc:
            messages.error(request, exc.message)
            return redirect("webhooks:endpoint", request.organization.slug, endpoint.pk)
    deliveries = keyset_page(request, endpoint.deliveries.prefetch_related("log"), ("-created_at", "-id"),
                             label="Delivery log pages")
    return render(request, "anneal_webhooks/endpoint.html", {
        "organization": request.organization, "endpoint": endpoint, "deliveries": deliveries,
        "groups": _event_type_groups(), "new_secret": request.session.pop(NEW_SECRET_KEY, None),
    })


urlpatterns = [
    path("o/<slug:slug>/endpoints/", endpoints, name="endpoints"),
    path("o/<slug:slug>/endpoints/<int:pk>/", endpoint_detail, name="endpoint"),
]
