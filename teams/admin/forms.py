"""The forms support fill in: a member's role, status and rights, a company's team; each checks
the services' rules first, so that a refusal shows beside its field."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.http import current_user
from audit.reasons import ReasonField
from audit.services import client_ip
from companies.models import Company, Membership, MembershipStatus, Role
from companies.services import last_admin_refusal
from permissions.catalogue import Right
from teams.services import (
    TeamRefused,
    member_rights,
    rights_diff,
)

Response = TypeVar("Response", bound=HttpResponse)


def support_context(request: HttpRequest) -> dict[str, Any]:
    """Who acts, from where, when: what every support service is told."""
    return {"actor": current_user(request), "ip_address": client_ip(request), "now": timezone.now()}


def refusals_shown(
    request: HttpRequest, view: Callable[[], Response]
) -> Response | HttpResponseRedirect:
    """A service's refusal that the form could not foresee (another change in between) rolls the
    page's transaction back and comes back as a message on the same page, not as an error 500."""
    try:
        return view()
    except TeamRefused as refusal:
        messages.error(request, refusal.message)
        return HttpResponseRedirect(request.get_full_path())


def stays_active_admin(role: Any, status: Any) -> bool:
    return role == Role.ADMIN and status == MembershipStatus.ACTIVE


class MembershipAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Support designates administrators and sets a collaborator's rights; a company never loses
    its last active administrator, and a right is granted only if the company's contracts allow it."""

    rights = forms.MultipleChoiceField(
        label=_("droits"),
        choices=Right.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Le membre est prévenu par e-mail ; un droit qui permet d’agir sur les fonds ou les "
            "coordonnées bancaires alerte aussi les administrateurs de l’entreprise."
        ),
    )

    reason = ReasonField()

    class Meta:
        model = Membership
        fields = ("user", "company", "role", "status")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership = self.instance
        if "rights" not in self.fields or membership.pk is None:
            return
        self.fields["rights"].initial = member_rights(membership)
        if membership.is_admin:
            self.fields["rights"].disabled = True
            self.fields["rights"].help_text = _(
                "Un administrateur détient tous les droits que l’entreprise peut accorder."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        membership = self.instance
        if membership.pk is None:
            return cleaned
        self._check_last_admin(membership, cleaned)
        if "rights" in self.changed_data:
            self._check_rights(membership, cleaned)
        return cleaned

    def _check_last_admin(self, membership: Membership, cleaned: dict[str, Any]) -> None:
        if not membership.is_admin or stays_active_admin(
            cleaned.get("role"), cleaned.get("status")
        ):
            return
        if refusal := last_admin_refusal(company_id=membership.company_id, leaving=[membership.pk]):
            self.add_error(None, refusal)

    def _check_rights(self, membership: Membership, cleaned: dict[str, Any]) -> None:
        if cleaned.get("role") == Role.ADMIN:
            self.add_error(
                "rights",
                _("Un administrateur détient tous les droits : ils ne se modifient pas."),
            )
            return
        try:
            rights_diff(membership=membership, rights=cleaned.get("rights", []))
        except TeamRefused as refusal:
            self.add_error("rights", refusal.message)


class CompanyAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """A company's page: whatever changes on it (its contracts, its team), support says why."""

    reason = ReasonField()

    class Meta:
        model = Company
        fields = ("name", "siren", "has_entreprise_subscription", "access_review_months")


class MembershipInlineFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """The company's members on its page: a company never loses its last active administrator,
    and a member stays the person they are (remove them and add the other person instead)."""

    def clean(self) -> None:
        super().clean()
        company = self.instance
        if company.pk is None:
            return
        leaving, joining = [], 0
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            membership = form.instance
            deleted = bool(self.can_delete and form.cleaned_data.get("DELETE"))
            stays = not deleted and stays_active_admin(
                form.cleaned_data.get("role"), form.cleaned_data.get("status")
            )
            # as it is now (the instance already holds the form's values)
            was_active_admin = membership.pk is not None and stays_active_admin(
                form.initial.get("role"), form.initial.get("status")
            )
            if not was_active_admin:
                joining += int(stays)
            if membership.pk is None:
                continue
            if not deleted and "user" in form.changed_data:
                form.add_error(
                    "user",
                    _("Un membre reste la même personne : retirez-le et ajoutez l’autre personne."),
                )
            if not stays:
                leaving.append(membership.pk)
        if refusal := last_admin_refusal(company_id=company.pk, leaving=leaving, joining=joining):
            raise forms.ValidationError(refusal)
