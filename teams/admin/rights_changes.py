"""Rights changes as support reads them: signed by an administrator or made by support."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from permissions.catalogue import specs_for
from teams.models import RightsChange


@admin.register(RightsChange)
class RightsChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a change is made and signed by the company's administrator in the portal, or
    made by support on the member's page (origin "support", not signed)."""

    list_display = (
        "membership",
        "company",
        "status",
        "origin",
        "added_rights",
        "removed_rights",
        "created_at",
    )
    list_filter = ("status", "origin")
    search_fields = ("membership__user__email", "membership__company__name")
    list_select_related = ("membership__user", "membership__company")
    ordering = ("-created_at", "-pk")
    fields = (
        "membership",
        "company",
        "status",
        "origin",
        "added_rights",
        "removed_rights",
        "rights",
        "previous_rights",
        "ends_on",
        "previous_ends_on",
        "requested_by",
        "created_at",
        "applied_at",
        "authorisation",
        "member_notified_at",
        "admins_notified_at",
    )
    readonly_fields = fields

    @admin.display(description=_("entreprise"), ordering="membership__company__name")
    def company(self, change: RightsChange) -> str:
        return change.membership.company.name

    @admin.display(description=_("droits ajoutés"))
    def added_rights(self, change: RightsChange) -> str:
        return ", ".join(str(spec.short_label) for spec in specs_for(change.added)) or "—"

    @admin.display(description=_("droits retirés"))
    def removed_rights(self, change: RightsChange) -> str:
        return ", ".join(str(spec.short_label) for spec in specs_for(change.removed)) or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
