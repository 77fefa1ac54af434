from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from companies.models import Contract
from documents.amortisation import schedule, totals
from documents.forms import ContractDocumentAdminForm
from documents.models import ContractDocument
from documents.services import document_add

# teams/admin.py shows contracts inline on their company; their own page lives here, with their
# documents and the terms the amortisation table is computed from.


class ContractDocumentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ContractDocument
    fields = ("title", "kind", "original_name", "content_type", "size", "added_at")
    readonly_fields = fields
    show_change_link = True
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an upload is checked on the document's own add page


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("reference", "company", "kind", "amount", "start_date", "end_date", "status")
    list_filter = ("kind", "status")
    search_fields = ("reference", "company__name", "company__siren")
    list_select_related = ("company",)
    autocomplete_fields = ("company",)
    readonly_fields = ("amortisation_summary",)
    fieldsets = (
        (None, {"fields": ("company", "reference", "kind", "status")}),
        (
            _("Conditions"),
            {
                "fields": (
                    "amount",
                    "start_date",
                    "end_date",
                    "annual_rate",
                    "payment_frequency",
                    "residual_value",
                    "drawn_amount",
                    "amortisation_summary",
                )
            },
        ),
    )
    inlines = (ContractDocumentInline,)

    @admin.display(description=_("Tableau d’amortissement"))
    def amortisation_summary(self, contract: Contract) -> str:
        if contract.pk is None:
            return "—"
        rows = schedule(contract)
        if not rows:
            return str(_("Aucune échéance : rien n’est décaissé."))
        total = totals(rows)
        return format_html(
            "{} échéances, la première de {} € le {} ; intérêts totaux {} €.",
            len(rows),
            rows[0].payment,
            rows[0].due_date.strftime("%d/%m/%Y"),
            total.interest,
        )


@admin.register(ContractDocument)
class ContractDocumentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ContractDocumentAdminForm
    list_display = ("title", "contract", "kind", "original_name", "readable_size", "added_at")
    list_filter = ("kind",)
    search_fields = ("title", "contract__reference", "contract__company__name", "sha256")
    list_select_related = ("contract",)
    autocomplete_fields = ("contract",)

    @admin.display(description=_("taille"))
    def readable_size(self, document: ContractDocument) -> str:
        return filesizeformat(document.size)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        # a stored file is evidence: replace it by adding a new document
        return ("contract", "original_name", "content_type", "readable_size", "sha256", "added_at")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("contract", "title", "kind", "file")
        return ("contract", "title", "kind", *self.get_readonly_fields(request, obj)[1:])

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = document_add(
            contract=obj.contract,
            title=obj.title,
            kind=obj.kind,
            upload=form.cleaned_data["file"],
        )
        for field in ContractDocument._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False
