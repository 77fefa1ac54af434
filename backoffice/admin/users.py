"""The user admin where an administrator's mobile or email, an account holding a right that moves
money active again, unlocking a signature or a login and resetting second factors become
proposals."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import PortalUserAdmin, SupportUserChangeForm
from accounts.forms import SecondFactorsSupportForm
from accounts.models import User
from audit.admin import action_reason
from backoffice.admin.common import admin_company, propose
from backoffice.models import ProposalKind
from permissions.selectors import money_memberships


class FourEyesUserChangeForm(SupportUserChangeForm):
    """An administrator's new mobile or email, or an account holding a right that moves money
    active again, become proposals (FourEyesUserAdmin.save_model) instead of being refused."""

    proposes_door_openers = True


class FourEyesUserAdmin(PortalUserAdmin):
    """An administrator's mobile and email are the keys to their signature and login: changing
    them, unlocking a signature or a login, resetting second factors and reactivating an
    account that holds a right that moves money (an administrator's every right, a collaborator's
    money rights) is proposed here and approved by another agent."""

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
        company = admin_company(obj) if change else None
        if company is not None:
            for field, kind in (
                ("mobile", ProposalKind.MOBILE_CHANGE),
                ("email", ProposalKind.EMAIL_CHANGE),
            ):
                if field not in form.changed_data:
                    continue
                new = getattr(obj, field)
                setattr(obj, field, form.initial.get(field) or "")
                propose(
                    request,
                    kind=kind,
                    subject=obj,
                    company=company,
                    payload={field: str(new) if new else ""},
                    reason=form.cleaned_data["reason"],
                )
        # an account active again can use every right that moves money it holds again: an
        # administrator's (every right), a collaborator's in an active membership
        money = money_memberships(user_id=obj.pk).first() if change else None
        if money is not None and "is_active" in form.changed_data and obj.is_active:
            obj.is_active = False
            propose(
                request,
                kind=ProposalKind.ACCOUNT_REACTIVATION,
                subject=obj,
                company=company or money.company,
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
            propose(
                request,
                kind=kind,
                subject=user,
                company=admin_company(user),
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
            propose(
                request,
                kind=ProposalKind.SIGNING_UNLOCK,
                subject=user,
                company=admin_company(user),
                payload={},
                reason=reason,
            )
        return None


admin.site.unregister(User)
admin.site.register(User, FourEyesUserAdmin)
