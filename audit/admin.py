from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from audit.chain import chain_head
from audit.models import AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Evidence: support staff may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "action", "actor_email", "company", "target_repr", "ip_address")
    list_filter = ("action",)
    search_fields = ("actor_email", "target_repr", "company__name")
    list_select_related = ("company",)
    date_hierarchy = "occurred_at"
    fields = (
        "occurred_at",
        "action",
        "actor",
        "actor_email",
        "company",
        "target_type",
        "target_id",
        "target_repr",
        "ip_address",
        "data",
        "previous_hash",
        "chain_hash",
    )
    readonly_fields = fields

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        # the chain's head, for support to write down or compare with the daily log line
        context = {**(extra_context or {}), "chain_head": chain_head()}
        return super().changelist_view(request, extra_context=context)  # type: ignore[return-value]
