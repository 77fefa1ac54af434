"""Start a request in "Demandes de l'entreprise": new contract, access to a product, amendment."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from client_requests.forms.fields import OptionsSelect, add_refusals, contract_kind_label
from client_requests.forms.pipeline import SupportingFilesField, new_files, upload_hint
from client_requests.kinds import COMPANY_REQUEST_KINDS, AttachmentPurpose
from client_requests.selectors import company_contracts
from client_requests.services import NewFile
from client_requests.services.rules import (
    SUBJECT_MAX_LENGTH,
    SUBJECT_REQUIRED,
    TEXT_MAX_LENGTH,
    TEXT_TOO_LONG,
    company_request_refusal,
    subject_refusal,
    text_refusal,
)
from companies.models import Company, Contract


class ContractChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Contract) -> str:
        return f"{obj.reference} — {contract_kind_label(obj.kind)}"


class CompanyRequestForm(forms.Form):
    DRAFT = "draft"
    SUBMIT = "submit"

    kind = forms.ChoiceField(
        label=gettext_lazy("Type de demande"),
        choices=[(kind.value, kind.label) for kind in COMPANY_REQUEST_KINDS],
        widget=forms.RadioSelect,
    )
    contract = ContractChoiceField(
        label=gettext_lazy("Contrat concerné"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Aucun —"),
        help_text=gettext_lazy("Obligatoire pour une demande d’avenant."),
        widget=OptionsSelect,
    )
    subject = forms.CharField(
        label=gettext_lazy("Objet"),
        max_length=SUBJECT_MAX_LENGTH,
        error_messages={"required": SUBJECT_REQUIRED, "max_length": TEXT_TOO_LONG},
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=TEXT_MAX_LENGTH,
        error_messages={"max_length": TEXT_TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # the service names the description as the request stores it
    refusal_fields = {"message": "description"}
    documents = SupportingFilesField(label=gettext_lazy("Pièces justificatives"))

    def __init__(self, *args: Any, company: Company, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.company = company
        contract_field = self.fields["contract"]
        assert isinstance(contract_field, forms.ModelChoiceField)
        contract_field.queryset = company_contracts(company=company)
        self.fields["documents"].help_text = upload_hint()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refusals = [
            subject_refusal(cleaned.get("subject")),
            text_refusal(cleaned.get("description") or "", field="message"),
        ]
        if kind := cleaned.get("kind"):
            refusals.append(
                company_request_refusal(
                    kind=kind, contract=cleaned.get("contract"), company_id=self.company.pk
                )
            )
        add_refusals(self, [refusal for refusal in refusals if refusal])
        return cleaned

    @property
    def submitting(self) -> bool:
        return self.data.get("action") == self.SUBMIT

    def files_to_store(self) -> list[NewFile]:
        return new_files(self.cleaned_data.get("documents") or [], AttachmentPurpose.SUPPORTING)
