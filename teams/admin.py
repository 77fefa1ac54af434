from django.contrib import admin

from permissions.admin import GrantInline
from teams.models import Company, Contract, Membership


class ContractInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Contract
    fields = ("reference", "kind", "amount", "start_date", "end_date", "status")
    extra = 0


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    """Who belongs to the company; rights are edited on each membership's own page."""

    model = Membership
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
    readonly_fields = ("created_at",)
    inlines = (ContractInline, MembershipInline)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("user", "company", "role", "status", "created_at")
    list_filter = ("role", "status", "company")
    search_fields = ("user__email", "user__first_name", "user__last_name", "company__name")
    list_select_related = ("user", "company")
    autocomplete_fields = ("user", "company")
    readonly_fields = ("created_at",)
    inlines = (GrantInline,)
