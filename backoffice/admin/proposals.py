"""« Propositions du support »: the list of proposals to approve, each one's page (what will
change, the reason), approve or refuse."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.http import current_user
from audit.reasons import ReasonField
from audit.services import client_ip
from backoffice.kinds import ProposalRefused
from backoffice.models import Proposal, ProposalStatus
from backoffice.services import (
    proposal_approve,
    proposal_refuse,
    proposal_rows,
)


class RefusalForm(forms.Form):
    refusal_reason = ReasonField(label=gettext_lazy("Motif du refus"))


class PendingFilter(admin.SimpleListFilter):
    title = gettext_lazy("à traiter")
    parameter_name = "a_traiter"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("oui", gettext_lazy("À approuver"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
        if self.value() == "oui":
            return queryset.filter(status=ProposalStatus.PROPOSED, expires_at__gt=timezone.now())
        return queryset


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a proposal is made on the page of what it changes, decided here."""

    list_display = (
        "created_at",
        "kind",
        "company",
        "subject_repr",
        "proposed_by",
        "status",
        "expires_at",
    )
    list_filter = (PendingFilter, "status", "kind")
    list_select_related = ("company", "proposed_by")
    search_fields = ("subject_repr", "company__name", "proposed_by__email")
    ordering = ("-created_at", "-pk")
    fields = (
        "kind",
        "status",
        "company",
        "subject_repr",
        "reason",
        "proposed_by",
        "created_at",
        "expires_at",
        "decided_by",
        "decided_at",
        "refusal_reason",
    )
    readonly_fields = fields
    change_form_template = "admin/backoffice/proposal/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/approuver/",
                wrap(require_POST(self.approve_view)),
                name="backoffice_proposal_approve",
            ),
            path(
                "<int:object_id>/refuser/",
                wrap(require_POST(self.refuse_view)),
                name="backoffice_proposal_refuse",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        proposal = self.get_object(request, object_id)
        if proposal is not None:
            extra_context["changes"] = proposal_rows(proposal)
            pending = proposal.status == ProposalStatus.PROPOSED
            extra_context["decidable"] = pending and not proposal.is_expired(timezone.now())
            extra_context["own"] = proposal.proposed_by_id == request.user.pk
            extra_context["refusal_form"] = RefusalForm()
        extra_context.update(
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False
        )
        return super().change_view(request, object_id, form_url, extra_context)

    def _decidable(self, request: HttpRequest, object_id: int) -> Proposal:
        proposal = get_object_or_404(Proposal, pk=object_id)
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        return proposal

    def _back(self, proposal: Proposal) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))

    def approve_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        proposal = self._decidable(request, object_id)
        try:
            decided = proposal_approve(
                proposal_id=proposal.pk,
                approver=current_user(request),
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except ProposalRefused as refused:
            messages.error(request, refused.message)
        else:
            if decided.status == ProposalStatus.EXPIRED:
                messages.error(request, _("Cette proposition a expiré : rien n’a changé."))
            else:
                messages.success(request, _("Proposition approuvée : le changement est appliqué."))
        return self._back(proposal)

    def refuse_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        proposal = self._decidable(request, object_id)
        form = RefusalForm(request.POST)
        if not form.is_valid():
            for error in form.errors.get("refusal_reason", []):
                messages.error(request, str(error))
            return self._back(proposal)
        try:
            proposal_refuse(
                proposal_id=proposal.pk,
                decider=current_user(request),
                refusal_reason=form.cleaned_data["refusal_reason"],
                ip_address=client_ip(request),
                now=timezone.now(),
            )
        except ProposalRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Proposition refusée : rien n’a changé."))
        return self._back(proposal)
