from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from treasury.services import threshold_refusal

SPACES = str.maketrans({" ": None, "\u00a0": None, "\u202f": None})


class AmountField(forms.DecimalField):
    """An amount in euros as a French person types it: "15 000,50" or "15000.50"."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.translate(SPACES).removesuffix("€").replace(",", ".")
        return super().to_python(value)


class LowBalanceAlertForm(forms.Form):
    threshold = AmountField(
        label=_("Seuil d’alerte (en euros)"),
        help_text=_("Vous recevrez un e-mail si le solde prévu passe sous ce montant."),
        max_digits=14,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Indiquez un seuil."),
            "invalid": _("Indiquez un montant en euros, par exemple 15 000,00."),
            "max_decimal_places": _("Indiquez au plus deux chiffres après la virgule."),
            "max_digits": _("Ce montant est trop grand."),
            "max_whole_digits": _("Ce montant est trop grand."),
        },
    )
    enabled = forms.BooleanField(label=_("Activer l’alerte"), required=False)

    def clean_threshold(self) -> Decimal:
        threshold: Decimal = self.cleaned_data["threshold"]
        if refusal := threshold_refusal(threshold):
            raise forms.ValidationError(refusal)
        return threshold
