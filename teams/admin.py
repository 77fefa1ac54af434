from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.models import Action
from audit.services import audit_record, client_ip
from companies.models import Company, Contract, Membership, MembershipStatus, Role
from permissions.admin import GrantInline
from permissions.catalogue import specs_for
from permissions.models import Grant
from teams.models import RightsChange
from teams.services import last_admin_refusal

# Support staff's edits of who may do what are audited like the portal's own: actor, company,
# target, address. A membership's fields that matter, and its rights, before and after.
AUDITED_FIELDS = ("user", "company", "role", "status")


def _value(value: Any) -> Any:
    return getattr(value, "pk", value)


def _membership_changed(
    request: HttpRequest, membership: Membership, form: Any, *, created: bool
) -> None:
    changed = [name for name in AUDITED_FIELDS if name in form.changed_data]
    if not created and not changed:
        return
    audit_record(
        action=Action.SUPPORT_MEMBERSHIP_CHANGED,
        actor=request.user,
        company=membership.company,
        target=membership,
        ip_address=client_ip(request),
        data={
            "created": created,
            "role": membership.role,
            "status": membership.status,
            "changes": {
                name: {
                    "from": None if created else _value(form.initial.get(name)),
                    "to": _value(form.cleaned_data.get(name)),
                }
                for name in changed
            },
        },
    )


def _membership_deleted(request: HttpRequest, membership: Membership) -> None:
    audit_record(
        action=Action.SUPPORT_MEMBERSHIP_DELETED,
        actor=request.user,
        company=membership.company,
        target=membership,
        ip_address=client_ip(request),
        data={
            "role": membership.role,
            "status": membership.status,
            "rights": sorted(membership.grants.values_list("right", flat=True)),
        },
    )


def _rights_of(membership: Membership) -> set[str]:
    return set(Grant.objects.filter(membership=membership).values_list("right", flat=True))


def _stays_active_admin(role: Any, status: Any) -> bool:
    return role == Role.ADMIN and status == MembershipStatus.ACTIVE


class MembershipAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    """Support designates administrators; a company never loses its last active one."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        membership = self.instance
        if membership.pk is None or not membership.is_admin:
            return cleaned
        if _stays_active_admin(cleaned.get("role"), cleaned.get("status")) and (
            cleaned.get("company") in (None, membership.company)
        ):
            return cleaned
        if refusal := last_admin_refusal(company_id=membership.company_id, leaving=[membership.pk]):
            raise forms.ValidationError(refusal)
        return cleaned


class MembershipInlineFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
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
            if membership.pk is None:
                joining += int(stays)
            elif not stays:
                leaving.append(membership.pk)
        if refusal := last_admin_refusal(company_id=company.pk, leaving=leaving, joining=joining):
            raise forms.ValidationError(refusal)


def _deletion_refusal(memberships: QuerySet[Membership]) -> str | None:
    by_company: dict[int, list[int]] = {}
    for pk, company_id in memberships.values_list("pk", "company_id"):
        by_company.setdefault(company_id, []).append(pk)
    for company_id, leaving in by_company.items():
        if refusal := last_admin_refusal(company_id=company_id, leaving=leaving):
            return refusal
    return None


@admin.action(description=_("Supprimer les membres sélectionnés"), permissions=["delete"])
def delete_selected_members(
    modeladmin: admin.ModelAdmin,  # type: ignore[type-arg]
    request: HttpRequest,
    queryset: QuerySet[Membership],
) -> HttpResponse | None:
    if refusal := _deletion_refusal(queryset):
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
        # recorded before they go: a deleted membership takes its rights with it
        for deleted in formset.deleted_forms:
            if deleted.instance.pk is not None:
                _membership_deleted(request, deleted.instance)
        super().save_formset(request, form, formset, change)
        created = {membership.pk for membership in formset.new_objects}
        for membership_form in formset.forms:
            membership = membership_form.instance
            if membership_form in formset.deleted_forms or membership.pk is None:
                continue
            if membership_form.has_changed():
                _membership_changed(
                    request, membership, membership_form, created=membership.pk in created
                )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = MembershipAdminForm
    actions = (delete_selected_members,)
    list_display = ("user", "company", "role", "status", "created_at")
    list_filter = ("role", "status", "company")
    search_fields = ("user__email", "user__first_name", "user__last_name", "company__name")
    list_select_related = ("user", "company")
    autocomplete_fields = ("user", "company")
    readonly_fields = ("created_at",)
    inlines = (GrantInline,)

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        _membership_changed(request, obj, form, created=not change)

    def save_formset(
        self,
        request: HttpRequest,
        form: Any,
        formset: BaseInlineFormSet,  # type: ignore[type-arg]
        change: bool,
    ) -> None:
        membership: Membership = form.instance
        before = _rights_of(membership)
        super().save_formset(request, form, formset, change)
        after = _rights_of(membership)
        if before != after:
            audit_record(
                action=Action.SUPPORT_GRANTS_CHANGED,
                actor=request.user,
                company=membership.company,
                target=membership,
                ip_address=client_ip(request),
                data={
                    "added": sorted(after - before),
                    "removed": sorted(before - after),
                    "rights": sorted(after),
                },
            )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        memberships = Membership.objects.filter(pk=object_id) if object_id.isdigit() else None
        if memberships is not None and (refusal := _deletion_refusal(memberships)):
            self.message_user(request, refusal, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:companies_membership_change", args=[object_id])
            )
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        _membership_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Membership]) -> None:
        for membership in queryset.select_related("company", "user"):
            _membership_deleted(request, membership)
        super().delete_queryset(request, queryset)


@admin.register(RightsChange)
class RightsChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: a change is made and signed by the company's administrator in the portal."""

    list_display = (
        "membership",
        "company",
        "status",
        "added_rights",
        "removed_rights",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("membership__user__email", "membership__company__name")
    list_select_related = ("membership__user", "membership__company")
    ordering = ("-created_at", "-pk")
    fields = (
        "membership",
        "company",
        "status",
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
