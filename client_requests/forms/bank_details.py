"""A RIB change: holder, IBAN, BIC and a proof of power. Validation only: the change is a request
that support validates. The IBAN and BIC are checked by `client_requests.services.rules`, which
the service calls again; it also refuses the current IBAN and a second open change."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from client_requests.forms.fields import ProofOfPowerField
from client_requests.services import RequestRefused
from client_requests.services.rules import bic_checked, iban_checked


class BankDetailsForm(forms.Form):
    holder = forms.CharField(
        label=_("Titulaire du compte"),
        max_length=140,
        help_text=_("Tel qu’il figure sur le RIB, en général la raison sociale de l’entreprise."),
        error_messages={"required": _("Saisissez le titulaire du compte.")},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=60,
        help_text=_("Avec ou sans espaces, par exemple FR76 3000 6000 0112 3456 7890 189."),
        error_messages={"required": _("Saisissez l’IBAN du nouveau compte.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=20,
        help_text=_("8 ou 11 caractères, par exemple BNPAFRPP."),
        error_messages={"required": _("Saisissez le BIC de la banque du nouveau compte.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    proof_of_power = ProofOfPowerField(
        label=_("Justificatif de pouvoir"),
    )

    def clean_iban(self) -> str:
        try:
            return iban_checked(self.cleaned_data["iban"])
        except RequestRefused as refusal:
            raise ValidationError(refusal.message, code="invalid") from None

    def clean_bic(self) -> str:
        try:
            return bic_checked(self.cleaned_data["bic"])
        except RequestRefused as refusal:
            raise ValidationError(refusal.message, code="invalid") from None

    def request_fields(self) -> dict[str, Any]:
        return {
            "holder": self.cleaned_data["holder"],
            "iban": self.cleaned_data["iban"],
            "bic": self.cleaned_data["bic"],
            "proof_of_power": self.cleaned_data["proof_of_power"],
        }
