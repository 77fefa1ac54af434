from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.admin import action_reason
from audit.services import client_ip
from invitations import services
from invitations.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Support looks at invitations and acts on them only through the services (the actions)."""

    list_display = ("email", "company", "status", "invited_by", "created_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("email", "first_name", "last_name", "company__name", "invited_by__email")
    list_select_related = ("company", "invited_by")
    date_hierarchy = "created_at"
    actions = ("resend", "revoke")
    # the token hash never leaves the database
    exclude = ("token_hash",)
    fields = (
        "company",
        "invited_by",
        "email",
        "first_name",
        "last_name",
        "mobile",
        "rights",
        "ends_on",
        "status",
        "challenge",
        "authorisation",
        "created_at",
        "signed_at",
        "sent_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
        "failed_at",
    )
    # signed content and life-cycle state change only through the services (the actions)
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Renvoyer l’e-mail avec un nouveau lien"))
    def resend(
        self, request: HttpRequest, queryset: QuerySet[Invitation]
    ) -> TemplateResponse | None:
        reason = action_reason(self, request, queryset, title=_("Renvoyer l’invitation"))
        if isinstance(reason, TemplateResponse):
            return reason
        self._apply(request, queryset, services.invitation_resend, _("Invitation renvoyée"), reason)
        return None

    @admin.action(description=gettext_lazy("Révoquer"))
    def revoke(
        self, request: HttpRequest, queryset: QuerySet[Invitation]
    ) -> TemplateResponse | None:
        reason = action_reason(self, request, queryset, title=_("Révoquer l’invitation"))
        if isinstance(reason, TemplateResponse):
            return reason
        self._apply(request, queryset, services.invitation_revoke, _("Invitation révoquée"), reason)
        return None

    def _apply(
        self,
        request: HttpRequest,
        queryset: QuerySet[Invitation],
        service: Callable[..., Invitation],
        done: str,
        reason: str,
    ) -> None:
        for invitation in queryset.select_related("company"):
            try:
                service(
                    invitation_id=invitation.pk,
                    company=invitation.company,
                    actor=request.user,
                    ip_address=client_ip(request),
                    now=timezone.now(),
                    reason=reason,
                )
            except services.InvitationRefused as refusal:
                self.message_user(
                    request, f"{invitation.email} : {refusal.message}", messages.ERROR
                )
            else:
                self.message_user(request, f"{done} : {invitation.email}", messages.SUCCESS)
