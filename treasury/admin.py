from django.contrib import admin
from django.http import HttpRequest

from treasury.models import BankAccount, CashFlow, LowBalanceAlert, TreasurySubscription


@admin.register(BankAccount)
class BankAccountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("company", "label", "number_end", "balance", "balance_date")
    list_select_related = ("company",)
    search_fields = ("company__name", "company__siren", "label")
    autocomplete_fields = ("company",)


@admin.register(CashFlow)
class CashFlowAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("flow_date", "company", "label", "category", "amount")
    list_filter = ("category",)
    list_select_related = ("company",)
    search_fields = ("company__name", "company__siren", "label")
    date_hierarchy = "flow_date"
    autocomplete_fields = ("company",)


@admin.register(TreasurySubscription)
class TreasurySubscriptionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("company", "active_until", "created_at")
    list_select_related = ("company",)
    search_fields = ("company__name", "company__siren")
    autocomplete_fields = ("company",)


@admin.register(LowBalanceAlert)
class LowBalanceAlertAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only for support: the company's member sets the alert, and receives it."""

    list_display = ("company", "threshold", "enabled", "recipient", "last_sent_for", "updated_at")
    list_select_related = ("company", "recipient")
    search_fields = ("company__name", "company__siren", "recipient__email")
    readonly_fields = (
        "company",
        "threshold",
        "enabled",
        "recipient",
        "last_sent_for",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
