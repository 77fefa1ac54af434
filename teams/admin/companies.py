"""Support's page of a company, with its contracts and its team."""

from typing import Any

from django.contrib import admin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse

from companies.models import Company, Contract, Membership
from companies.services import access_review_reschedule
from teams.admin.forms import (
    CompanyAdminForm,
    MembershipInlineFormSet,
    refusals_shown,
    stays_active_admin,
    support_context,
)
from teams.services import (
    membership_add_by_support,
    membership_set_by_support,
    memberships_remove_by_support,
)


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
    form = CompanyAdminForm
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
        "access_review_signed_on",
        "access_review_due_on",
    )
    inlines = (ContractInline, MembershipInline)

    def save_model(self, request: HttpRequest, obj: Company, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        # a new company, or a new review period: the next review's date follows
        obj.access_review_due_on = access_review_reschedule(company_id=obj.pk)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        return refusals_shown(
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
        support = {**support_context(request), "reason": form.cleaned_data["reason"]}
        deleted = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        rows = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
        joining = [f for f in rows if f.instance.pk is None]
        # who stays or becomes an active administrator first: a handover is not a company left
        # without one
        changed = sorted(
            (f for f in rows if f.instance.pk is not None),
            key=lambda f: not stays_active_admin(f.cleaned_data["role"], f.cleaned_data["status"]),
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
