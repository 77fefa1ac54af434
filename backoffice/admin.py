"""Support's four eyes in the Django admin: the list of proposals to approve, each one's page
(what will change, the reason, approve or refuse), and the pages where a change that opens the
door becomes a proposal instead of applying at once (an administrator's mobile or email, unlocking
a signature or a login, resetting second factors, a right that moves money, validating a RIB
change)."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.admin import PortalUserAdmin, SupportUserChangeForm
from accounts.forms import SecondFactorsSupportForm
from accounts.http import current_user
from accounts.models import User
from audit.admin import action_reason
from audit.reasons import ReasonField
from audit.services import client_ip
from backoffice.kinds import ProposalRefused, gives_admin_powers
from backoffice.models import Proposal, ProposalKind, ProposalStatus
from backoffice.services import (
    proposal_approve,
    proposal_make,
    proposal_refuse,
    proposal_rows,
)
from client_requests.admin import ClientRequestAdmin, DecisionForm
from client_requests.kinds import RequestKind, RequestStatus
from client_requests.models import ClientRequest
from companies.models import Company, Membership, MembershipStatus, Role
from permissions.catalogue import specs_for
from teams.admin.companies import CompanyAdmin
from teams.admin.memberships import MembershipAdmin

SENT_FOR_APPROVAL = gettext_lazy(
    "Proposition enregistrée : elle s’appliquera quand un second agent du support l’aura "
    "approuvée (dans les 24 heures), depuis « Propositions du support »."
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


def _propose(request: HttpRequest, **kwargs: Any) -> bool:
    """Make a proposal from an admin page; its refusal becomes the page's message."""
    try:
        proposal_make(
            proposer=current_user(request),
            ip_address=client_ip(request),
            now=timezone.now(),
            **kwargs,
        )
    except ProposalRefused as refused:
        messages.error(request, refused.message)
        return False
    messages.warning(request, str(SENT_FOR_APPROVAL))
    return True


def _admin_company(user: User) -> Any:
    membership = (
        Membership.objects.filter(user=user, role=Role.ADMIN, status=MembershipStatus.ACTIVE)
        .select_related("company")
        .order_by("pk")
        .first()
    )
    return membership.company if membership else None


class FourEyesUserChangeForm(SupportUserChangeForm):
    """An administrator's new mobile or email, or their account active again, become proposals
    (FourEyesUserAdmin.save_model) instead of being refused."""

    proposes_door_openers = True


class FourEyesUserAdmin(PortalUserAdmin):
    """An administrator's mobile and email are the keys to their signature and login: changing
    them, unlocking a signature or a login, resetting second factors and reactivating the
    account of an administrator (who holds every right again) is proposed here and approved by
    another agent."""

    form = FourEyesUserChangeForm
    actions = (*PortalUserAdmin.actions, "propose_unlock")  # type: ignore[assignment]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), "second_factors_link")

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """The login's fieldset links to the page that proposes to unlock it or reset it."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            (name, {**options, "fields": (*options["fields"], "second_factors_link")})
            if "login_locked_at" in options["fields"]
            else (name, options)
            for name, options in fieldsets
        ]

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<id:object_id>/seconds-facteurs/",
                self.admin_site.admin_view(self.second_factors_view),
                name="accounts_user_second_factors",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=gettext_lazy("aide du support"))
    def second_factors_link(self, user: User) -> str:
        if not user.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:accounts_user_second_factors", args=[user.pk]),
            _("Débloquer la connexion ou réinitialiser les seconds facteurs…"),
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        company = _admin_company(obj) if change else None
        if company is not None:
            for field, kind in (
                ("mobile", ProposalKind.MOBILE_CHANGE),
                ("email", ProposalKind.EMAIL_CHANGE),
            ):
                if field not in form.changed_data:
                    continue
                new = getattr(obj, field)
                setattr(obj, field, form.initial.get(field) or "")
                _propose(
                    request,
                    kind=kind,
                    subject=obj,
                    company=company,
                    payload={field: str(new) if new else ""},
                    reason=form.cleaned_data["reason"],
                )
            # an administrator's account active again holds every right again
            if "is_active" in form.changed_data and obj.is_active:
                obj.is_active = False
                _propose(
                    request,
                    kind=ProposalKind.ACCOUNT_REACTIVATION,
                    subject=obj,
                    company=company,
                    payload={"is_active": True},
                    reason=form.cleaned_data["reason"],
                )
        super().save_model(request, obj, form, change)

    def second_factors_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        """Propose to unlock a locked login, or to reset the second factors of a lost phone,
        with a reason: a second agent approves it from « Propositions du support »."""
        user = self.get_object(request, str(object_id))
        if user is None or not self.has_change_permission(request, user):
            return HttpResponseRedirect(reverse("admin:accounts_user_changelist"))
        form = SecondFactorsSupportForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            kind = (
                ProposalKind.LOGIN_UNLOCK
                if form.cleaned_data["action"] == "unlock"
                else ProposalKind.SECOND_FACTORS_RESET
            )
            _propose(
                request,
                kind=kind,
                subject=user,
                company=_admin_company(user),
                payload={},
                reason=form.cleaned_data["reason"],
            )
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Seconds facteurs de %(name)s") % {"name": user},
            "subject": user,
            "form": form,
            "opts": self.opts,
        }
        return render(request, "admin/accounts/user/second_factors.html", context)

    @admin.action(description=gettext_lazy("Proposer de débloquer la signature"))
    def propose_unlock(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        locked = queryset.filter(signing_locked_at__isnull=False).order_by("pk")
        if not locked:
            self.message_user(
                request, _("Aucune signature bloquée dans la sélection."), messages.WARNING
            )
            return None
        reason = action_reason(self, request, locked, title=_("Proposer de débloquer la signature"))
        if isinstance(reason, TemplateResponse):
            return reason
        for user in locked:
            _propose(
                request,
                kind=ProposalKind.SIGNING_UNLOCK,
                subject=user,
                company=_admin_company(user),
                payload={},
                reason=reason,
            )
        return None


def _propose_admin(
    request: HttpRequest, member: Membership, *, role: str, status: str, reason: str
) -> None:
    _propose(
        request,
        kind=ProposalKind.ADMIN_ROLE,
        subject=member,
        company=member.company,
        payload={"role": str(role), "status": str(status)},
        reason=reason,
    )


class FourEyesMembershipAdmin(MembershipAdmin):
    """A right that moves money (RIB change, early buyout) is proposed, approved by another agent;
    so is making someone an active administrator, who holds every right: a new member joins as
    a collaborator until the administrator's role is approved."""

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        role, status = obj.role, obj.status
        before = form.initial if change else {"role": "", "status": ""}
        if not gives_admin_powers(
            role_before=before.get("role", ""),
            status_before=before.get("status", ""),
            role_after=role,
            status_after=status,
        ):
            super().save_model(request, obj, form, change)
            return
        if change:
            obj.role, obj.status = before["role"], before["status"]
        else:
            obj.role = Role.COLLABORATOR
            super().save_model(request, obj, form, change)
        _propose_admin(request, obj, role=role, status=status, reason=form.cleaned_data["reason"])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        member: Membership = form.instance
        if change and "rights" in form.changed_data and not member.is_admin:
            held = set(member.grants.values_list("right", flat=True))
            rights = sorted(form.cleaned_data["rights"])
            if any(spec.moves_money for spec in specs_for(set(rights) - held)):
                admin.ModelAdmin.save_related(self, request, form, formsets, change)
                _propose(
                    request,
                    kind=ProposalKind.MONEY_RIGHTS,
                    subject=member,
                    company=member.company,
                    payload={"rights": rights},
                    reason=form.cleaned_data["reason"],
                )
                return
        super().save_related(request, form, formsets, change)


class FourEyesClientRequestAdmin(ClientRequestAdmin):
    """Validating a RIB change (the company's bank details change) is proposed, then approved."""

    def decision_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        client_request = self._changeable(request, object_id)
        form = DecisionForm(request.POST, current_status=client_request.status)
        validating_rib = (
            client_request.kind == RequestKind.BANK_DETAILS_CHANGE
            and request.POST.get("to_status") == RequestStatus.DONE
        )
        if not validating_rib:
            return super().decision_view(request, object_id)
        if not form.is_valid():
            self._form_errors(request, form)
            return self._back(client_request)
        _propose(
            request,
            kind=ProposalKind.BANK_DETAILS,
            subject=client_request,
            company=client_request.company,
            payload={"comment": form.cleaned_data["comment"]},
            reason=form.cleaned_data["reason"],
        )
        return self._back(client_request)


class FourEyesCompanyAdmin(CompanyAdmin):
    """On a company's page too, whoever would become an active administrator is proposed: the
    other changes of the team apply, a newcomer joins as a collaborator meanwhile."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        promoted: list[tuple[Any, str, str]] = []
        for row in formset.forms:
            cleaned = getattr(row, "cleaned_data", None)
            if not cleaned or cleaned.get("DELETE") or not row.has_changed():
                continue
            joining = row.instance.pk is None
            if not gives_admin_powers(
                role_before="" if joining else row.initial.get("role", ""),
                status_before="" if joining else row.initial.get("status", ""),
                role_after=cleaned["role"],
                status_after=cleaned["status"],
            ):
                continue
            promoted.append((row, cleaned["role"], cleaned["status"]))
            if joining:
                cleaned["role"] = Role.COLLABORATOR
            else:
                cleaned["role"], cleaned["status"] = row.initial["role"], row.initial["status"]
        super().save_formset(request, form, formset, change)
        added = {member.user_id: member for member in formset.new_objects}
        for row, role, status in promoted:
            member = row.instance if row.instance.pk else added[row.cleaned_data["user"].pk]
            member = Membership.objects.select_related("company").get(pk=member.pk)
            _propose_admin(
                request, member, role=role, status=status, reason=form.cleaned_data["reason"]
            )


for model, model_admin in (
    (User, FourEyesUserAdmin),
    (Company, FourEyesCompanyAdmin),
    (Membership, FourEyesMembershipAdmin),
    (ClientRequest, FourEyesClientRequestAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
