from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from core.admin_paging import EstimatedCountAdmin

from core.models import ApiToken, Invitation, Membership, Organization, Project, User


@admin.register(User)
class UserAdmin(EstimatedCountAdmin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_staff", "is_service", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "is_service"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal: list[str] = []
    list_filter = ["is_active", "is_staff", "is_service"]


@admin.register(Membership)
class MembershipAdmin(EstimatedCountAdmin, admin.ModelAdmin):
    """Memberships a page at a time (an organization's change page links here, filtered to it)."""

    list_display = ["user", "organization", "role", "created_at"]
    list_select_related = ["user", "organization"]
    ordering = ["organization_id", "user_id"]
    raw_id_fields = ["user", "organization"]
    search_fields = ["user__email"]


@admin.register(Organization)
class OrganizationAdmin(EstimatedCountAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["members"]

    @admin.display(description="Members")
    def members(self, organization: Organization) -> str:
        if organization.pk is None:
            return "-"
        url = reverse("admin:core_membership_changelist") + f"?organization__id__exact={organization.pk}"
        return format_html('<a href="{}">Members of {}</a>', url, organization.name)


@admin.register(Project)
class ProjectAdmin(EstimatedCountAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "organization", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]


def _sign_in_through_anneal(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """The admin has no password form of its own: password sign-ins all go through the
    sign-in page, which throttles guessing (core.services.sign_in_throttle)."""
    if request.user.is_authenticated:
        from core.web.views.common import forbidden

        return forbidden(request, "The Django admin is for staff accounts only; ask an administrator.")
    next_url = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(next_url, reverse("web:sign_in"))


admin.site.login = _sign_in_through_anneal  # type: ignore[method-assign]
