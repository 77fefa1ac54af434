import json

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from otp.passkeys import PasskeyAssertion

# the assertion a browser posts is a few hundred bytes; anything far larger is not one
CREDENTIAL_MAX_LENGTH = 16_000


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


class PasskeyForm(forms.Form):
    """What passkeys.js posts after navigator.credentials.get() or .create(): the challenge it
    answered and the credential as JSON (binary values in base64url)."""

    method = forms.CharField(widget=forms.HiddenInput, initial="passkey")
    challenge = forms.UUIDField(widget=forms.HiddenInput)
    credential = forms.CharField(
        widget=forms.HiddenInput, max_length=CREDENTIAL_MAX_LENGTH, strip=False
    )

    def clean_credential(self) -> str:
        credential = str(self.cleaned_data["credential"])
        try:
            parsed = json.loads(credential)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            raise forms.ValidationError(_("La réponse de la clé d’accès est illisible. Réessayez."))
        return credential

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        if not self.errors:
            cleaned["assertion"] = PasskeyAssertion(
                challenge_id=cleaned["challenge"], credential=cleaned["credential"]
            )
        return cleaned

    def failure(self) -> str:
        """One sentence for the page: the fields are hidden, the person never typed them."""
        return str(_("La clé d’accès n’a pas pu être vérifiée. Réessayez."))


def signature_form(data: QueryDict) -> SignatureCodeForm | PasskeyForm:
    """The form of what was posted on a signature page: a passkey's assertion or an SMS code."""
    if data.get("method") == "passkey":
        return PasskeyForm(data)
    return SignatureCodeForm(data)
