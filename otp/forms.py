from django import forms
from django.utils.translation import gettext_lazy as _


class SignatureCodeForm(forms.Form):
    """The 6-digit code received by SMS, wherever a signature is asked for."""

    code = forms.RegexField(
        label=_("Code reçu par SMS"),
        regex=r"^[0-9]{6}$",
        error_messages={
            "required": _("Saisissez le code à 6 chiffres reçu par SMS."),
            "invalid": _("Le code est composé de 6 chiffres."),
        },
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9]{6}",
                "maxlength": "6",
                "size": "8",
            }
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()
