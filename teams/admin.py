"""Support staff's pages of companies, members and rights changes. Every edit of who may do what
goes through the team's services (teams.services.support): the same rules as the portal's, the
same audit, the member emailed when their rights change. The forms call the same rules first, so
that a refusal shows beside its field."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.services import client_ip
from companies.models import Company, Contract, Membership, MembershipStatus, Role
from companies.services import last_admin_refusal
from permissions.catalogue import Right, specs_for
from teams.models import RightsChange
from teams.services import (
    TeamRefused,
    member_rights,
    membership_add_by_support,
    membership_rights_set_by_support,
    membership_set_by_support,
    memberships_removal_refusal,
    memberships_remove_by_support,
    rights_diff,
)

Response = TypeVar("Response", bound=HttpResponse)


def _support(request: HttpRequest) -> dict[str, Any]:
    """Who acts, from where, when: what every support service is told."""
    user = request.user
    assert isinstance(user, User)
    return {"actor": user, "ip_address": client_ip(request), "now": timezone.now()}


def _refusals_shown(
    request: HttpRequest, view: Callable[[], Response]
) -> Response | HttpResponseRedirect:
    """A service's refusal that the form could not foresee (another change in between) rolls the
    page's transaction back and comes back as a message on the same page, not as an error 500."""
    try:
        return view()
    except TeamRefused as refusal:
        messages.error(request, refusal.message)
        return HttpResponseRedirect(request.get_full_path())


def _stays_active_admin(role: Any, status: Any) -> bool:
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
        if not membership.is_admin or _stays_active_admin(
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
            stays = not deleted and _stays_active_admin(
                form.cleaned_data.get("role"), form.cleaned_data.get("status")
            )
            # as it is now (the instance already holds the form's values)
            was_active_admin = membership.pk is not None and _stays_active_admin(
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


@admin.action(description=_("Supprimer les membres sélectionnés"), permissions=["delete"])
def delete_selected_members(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Membership],
) -> HttpResponse | None:
    if refusal := memberships_removal_refusal(
        membership_ids=list(queryset.values_list("pk", flat=True))
    ):
        modeladmin.message_user(request, refusal, messages.ERROR)
        return None
    response: HttpResponse | None = delete_selected(modeladmin, request, queryset)
    return response


delete_selected_members.__name__ = "delete_selected"


class ContractInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contract
    fields = ("reference", "kind", "amount", "start_date", "end_date", "status")
    extra = 0


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    """Who belongs to the company; rights are edited on each membership's own page."""

    model = Membership
    formset = MembershipInlineFormSet
    fields = ("user", "role", "status", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    show_change_link = True
    extra = 0


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "siren", "has_entreprise_subscription", "created_at")
    list_filter = ("has_entreprise_subscription",)
    search_fields = ("name", "siren")
    # the RIB changes only when support validates a RIB-change request (client_requests admin)
    readonly_fields = (
        "created_at",
        "bank_account_holder",
        "iban",
        "bic",
        "bank_details_changed_at",
    )
    inlines = (ContractInline, MembershipInline)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return _refusals_shown(
            request,
            lambda: super(CompanyAdmin, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: BaseInlineFormSet,  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        company: Company = form.instance
        support = _support(request)
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        rows = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
        joining = [f for f in rows if f.instance.pk is None]
        # who stays or becomes an active administrator first: a handover is not a company left
        # without one
        changed = sorted(
            (f for f in rows if f.instance.pk is not None),
            key=lambda f: not _stays_active_admin(f.cleaned_data["role"], f.cleaned_data["status"]),
        )
        formset.new_objects = [
            membership_add_by_support(
                user=f.cleaned_data["user"],
                company=company,
                role=f.cleaned_data["role"],
                status=f.cleaned_data["status"],
                **support,
            )
            for f in joining
        ]
        formset.changed_objects = [
            (
                membership_set_by_support(
                    membership=f.instance,
                    role=f.cleaned_data["role"],
                    status=f.cleaned_data["status"],
                    **support,
                ),
                f.changed_data,
            )
            for f in changed
        ]
        if deleted:
            memberships_remove_by_support(membership_ids=[m.pk for m in deleted], **support)
        formset.deleted_objects = deleted


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MembershipAdminForm
    actions = (delete_selected_members,)
    list_display = ("user", "company", "role", "status", "created_at")
    list_filter = ("role", "status", "company")
    search_fields = ("user__email", "user__first_name", "user__last_name", "company__name")
    list_select_related = ("user", "company")
    autocomplete_fields = ("user", "company")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("user", "company", "role", "status")
        return ("user", "company", "role", "status", "rights", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # a membership is one person in one company: another pair is another membership
        return () if obj is None else ("user", "company", "created_at")

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return _refusals_shown(
            request,
            lambda: super(MembershipAdmin, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            membership_set_by_support(
                membership=obj, role=obj.role, status=obj.status, **_support(request)
            )
            return
        created = membership_add_by_support(
            user=obj.user,
            company=obj.company,
            role=obj.role,
            status=obj.status,
            **_support(request),
        )
        for field in Membership._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if change and "rights" in form.changed_data:
            membership_rights_set_by_support(
                membership=form.instance, rights=form.cleaned_data["rights"], **_support(request)
            )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        back = HttpResponseRedirect(reverse("admin:companies_membership_change", args=[object_id]))
        if object_id.isdigit() and (
            refusal := memberships_removal_refusal(membership_ids=[int(object_id)])
        ):
            self.message_user(request, refusal, messages.ERROR)
            return back
        try:
            return super().delete_view(request, object_id, extra_context)
        except TeamRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return back

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # a member's rights changes go with the member (the audit keeps what they held): they are
        # read-only in the admin, not a separate permission to delete them
        perms_needed.discard(str(RightsChange._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        memberships_remove_by_support(membership_ids=[obj.pk], **_support(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        memberships_remove_by_support(
            membership_ids=list(queryset.values_list("pk", flat=True)), **_support(request)
        )


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
