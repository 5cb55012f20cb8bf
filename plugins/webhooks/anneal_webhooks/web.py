"""The webhook pages of an organization, for its admins and owners."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from core.plugins.web import keyset_page, object_or_404, organization_view, refuse
from core.roles import Permission

from anneal_webhooks import services
from anneal_webhooks.forms import EndpointForm
from anneal_webhooks.models import Delivery, Endpoint

NEW_SECRET_KEY = "anneal_webhooks_new_secret"


@organization_view(Permission.MANAGE)
def endpoints(request: HttpRequest) -> HttpResponse:
    organization = request.organization
    form, status = EndpointForm(), 200
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                endpoint = services.create_endpoint(organization, form.cleaned_data["url"],
                                                    form.chosen_event_types(), form.cleaned_data["description"],
                                                    created_by=request.user)
            except services.WebhookError as exc:
                refuse(form, exc.message, exc.field)
            else:
                request.session[NEW_SECRET_KEY] = endpoint.secret
                messages.success(request, f"Subscribed {endpoint.url}.")
                return redirect("webhooks:endpoint", organization.slug, endpoint.pk)
        status = 400
    return render(request, "anneal_webhooks/endpoints.html", {
        "organization": organization, "form": form, "endpoints": Endpoint.objects.filter(organization=organization),
    }, status=status)


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
        form = EndpointForm(request.POST)
        if not form.is_valid():
            return _endpoint_page(request, endpoint, form, status=400)
        try:
            services.update_endpoint(endpoint, url=form.cleaned_data["url"],
                                     description=form.cleaned_data["description"],
                                     event_types=form.chosen_event_types())
        except services.WebhookError as exc:
            endpoint.refresh_from_db()
            return _endpoint_page(request, endpoint, refuse(form, exc.message, exc.field), status=400)
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
    return _endpoint_page(request, endpoint, EndpointForm.of(endpoint))


def _endpoint_page(request: HttpRequest, endpoint: Endpoint, form: EndpointForm, status: int = 200) -> HttpResponse:
    deliveries = keyset_page(request, endpoint.deliveries.prefetch_related("log"), ("-created_at", "-id"),
                             label="Delivery log pages")
    return render(request, "anneal_webhooks/endpoint.html", {
        "organization": request.organization, "endpoint": endpoint, "deliveries": deliveries, "form": form,
        "new_secret": request.session.pop(NEW_SECRET_KEY, None),
    }, status=status)


urlpatterns = [
    path("o/<slug:slug>/endpoints/", endpoints, name="endpoints"),
    path("o/<slug:slug>/endpoints/<int:pk>/", endpoint_detail, name="endpoint"),
]
