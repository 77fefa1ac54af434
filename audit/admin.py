from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from audit.chain import chain_head
from audit.models import AuditEvent
from audit.reasons import ReasonForm


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


def action_reason(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    title: str,
) -> str | TemplateResponse:
    """An admin action that changes a client's data asks support why, on a page of its own: the
    reason once it is given, else that page (again, with the error)."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        return str(form.cleaned_data["reason"])
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/reason_action.html", context)
