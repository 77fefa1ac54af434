from typing import Any

from django import forms
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.models import User
from accounts.services import mobile_refusal
from accounts.services.second_factors import reason_refusal


def validate_mobile(value: Any) -> None:
    """The rule accounts.services checks again when it saves: a mobile that receives SMS."""
    if refusal := mobile_refusal(value):
        raise ValidationError(refusal.message, code="not_mobile")


class LoginForm(forms.Form):
    """The fields only: accounts.services.authenticate_throttled checks the password."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class _SupportUserCleaning(forms.ModelForm):  # type: ignore[type-arg]
    """Support staff's user forms: emails kept lowercase, and only mobiles that receive SMS."""

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_mobile(self) -> Any:
        mobile = self.cleaned_data.get("mobile")
        validate_mobile(mobile)
        return mobile


class PortalUserCreationForm(_SupportUserCleaning, UserCreationForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "mobile")


class PortalUserChangeForm(_SupportUserCleaning, UserChangeForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "mobile")


class MobileChangeForm(forms.Form):
    """Changing one's own mobile: the password first, then a code sent to the new number."""

    password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Saisissez votre mot de passe actuel.")},
    )
    mobile = PhoneNumberField(
        label=_("Nouveau numéro de mobile"),
        region="FR",
        validators=[validate_mobile],
        error_messages={
            "invalid": _(
                "Saisissez un numéro de mobile valide, par exemple 06 12 34 56 78 ou "
                "+33 6 12 34 56 78."
            ),
            "required": _("Saisissez votre nouveau numéro de mobile."),
        },
        help_text=_("Un code à 6 chiffres sera envoyé par SMS à ce numéro pour le vérifier."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    def mobile_e164(self) -> str:
        return str(self.cleaned_data["mobile"].as_e164)


class SecondFactorsSupportForm(forms.Form):
    """Support's help with a person's login: accounts.services.second_factors checks the reason."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("unlock", _("Débloquer la connexion (trop de seconds facteurs erronés)")),
            ("reset", _("Réinitialiser les seconds facteurs (téléphone perdu)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pourquoi, et comment l’identité de la personne a été vérifiée."),
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"])
        if refusal := reason_refusal(reason):
            raise ValidationError(refusal, code="reason")
        return reason
