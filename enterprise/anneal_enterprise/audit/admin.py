"""Django admin: audit records read-only, with an action that verifies their organizations."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from anneal_enterprise.audit import verify
from anneal_enterprise.audit.models import AuditCheckpoint, AuditInstanceHead, AuditRecord


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnly):
    list_display = ("id", "occurred_at", "organization_id", "type", "actor_kind", "actor_display", "target_type",
                    "target_id")
    list_filter = ("actor_kind",)
    search_fields = ("type", "actor_display", "target_display", "request_id")
    show_full_result_count = False  # no COUNT(*) over millions of rows
    actions = ["verify_organizations"]

    @admin.action(description="Verify the audit log of the selected records' organizations")
    def verify_organizations(self, request: HttpRequest, queryset: QuerySet[AuditRecord]) -> None:
        for organization_id in sorted(set(queryset.values_list("organization_id", flat=True)),
                                      key=lambda o: (o is not None, o or 0)):
            report = verify.verify_organization(organization_id)
            self.message_user(request, report.summary(), messages.SUCCESS if report.intact else messages.ERROR)


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnly):
    list_display = ("id", "organization_id", "sequence", "kind", "first_record_id", "last_record_id", "record_count",
                    "key_id", "created_at")


@admin.register(AuditInstanceHead)
class AuditInstanceHeadAdmin(ReadOnly):
    list_display = ("sequence", "sealed_through", "key_id", "created_at")
