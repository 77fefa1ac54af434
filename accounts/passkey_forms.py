"""The forms of Mon compte's passkeys: validation only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from otp.forms import PasskeyForm, SignatureCodeForm

NAME_MAX_LENGTH = 60


def _name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Nom de la clé d’accès"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Pour la reconnaître, par exemple « Ordinateur du bureau »."),
        error_messages={
            "required": _("Donnez un nom à votre clé d’accès."),
            "max_length": _("Le nom compte au plus %(limit_value)d caractères."),
        },
    )


class PasskeyNameForm(forms.Form):
    name = _name_field()


class PasskeyRegisterForm(PasskeyForm):
    """The name typed, then what passkeys.js posts after navigator.credentials.create()."""

    name = _name_field()
    field_order = ["name"]


def _password_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe.")},
    )


class PasskeyRemoveCodeForm(SignatureCodeForm):
    """Removal confirmed by the password and a code received by SMS."""

    password = _password_field()
    field_order = ["password", "code"]


class PasskeyRemoveWithPasskeyForm(PasskeyForm):
    """Removal confirmed by the password and another passkey (passkeys.js fills the rest)."""

    password = _password_field()
