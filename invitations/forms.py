"""Format checks for the invitation pages. Business refusals come from invitations.services."""

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from accounts.forms import validate_mobile
from accounts.models import User
from invitations.models import BATCH_MAX_INVITEES
from invitations.services.accepting import password_refusals
from invitations.services.batch_file import BATCH_FILE_MAX_BYTES
from invitations.services.creating import INVALID_EMAIL, INVALID_PHONE, invitee_refusals
from permissions.catalogue import Right
from permissions.forms import EndDatesFormMixin


class InviteeForm(forms.Form):
    """Who is invited: one person, alone or as a row of a batch."""

    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    last_name = forms.CharField(
        label=_("Nom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        help_text=_(
            "L’invitation sera envoyée à cette adresse, et seule cette adresse pourra l’accepter."
        ),
        error_messages={"invalid": INVALID_EMAIL},
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    mobile = PhoneNumberField(
        label=_("Mobile"),
        region="FR",
        required=False,
        validators=[validate_mobile],
        error_messages={"invalid": INVALID_PHONE},
        help_text=_("Un numéro de mobile français ou au format international (+…)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # the service's rule, for what the fields' own checks let through
        refusals = invitee_refusals(
            email=cleaned.get("email", ""),
            first_name=cleaned.get("first_name", ""),
            last_name=cleaned.get("last_name", ""),
            mobile=self.mobile_e164(),
        )
        for field, message in refusals.items():
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned

    def mobile_e164(self) -> str:
        mobile = self.cleaned_data.get("mobile")
        return mobile.as_e164 if mobile else ""


class InvitationForm(EndDatesFormMixin, InviteeForm):
    rights = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Right.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un droit à accorder.")},
    )


class BaseInviteeFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The rows of a batch: empty rows are ignored, at least one must be filled."""

    def clean(self) -> None:
        super().clean()
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError(_("Renseignez au moins une personne à inviter."))

    def filled(self) -> list[InviteeForm]:
        return [form for form in self.forms if form.has_changed()]


def invitee_formset(rows: int) -> type[BaseInviteeFormSet]:
    """`rows` empty rows to begin with; a batch counts at most BATCH_MAX_INVITEES people."""
    return cast(
        type[BaseInviteeFormSet],
        forms.formset_factory(
            InviteeForm,
            formset=BaseInviteeFormSet,
            extra=rows,
            max_num=BATCH_MAX_INVITEES,
            absolute_max=BATCH_MAX_INVITEES,
            validate_max=True,
        ),
    )


class InvitationRightsForm(EndDatesFormMixin, forms.Form):
    """New rights for an invitation not yet accepted."""

    rights = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Right.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Cochez au moins un droit à accorder.")},
    )


class InvitationFileForm(EndDatesFormMixin, forms.Form):
    """A CSV file of people to invite, and the rights for all when the file names none."""

    file = forms.FileField(
        label=_("Fichier CSV"),
        help_text=_("Une ligne par personne, au format du modèle ; 1 Mo au plus."),
        error_messages={
            "required": _("Choisissez le fichier CSV des personnes à inviter."),
            "empty": _("Ce fichier est vide."),
            "invalid": _("Choisissez le fichier CSV des personnes à inviter."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    rights = forms.MultipleChoiceField(
        label=_("Droits"),
        choices=Right.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > BATCH_FILE_MAX_BYTES:
            raise ValidationError(
                _("Ce fichier dépasse %(max)s Mo : scindez-le en plusieurs fichiers.")
                % {"max": BATCH_FILE_MAX_BYTES // (1024 * 1024)}
            )
        return bytes(upload.read(BATCH_FILE_MAX_BYTES + 1))


class AcceptNewAccountForm(forms.Form):
    """The invited person creates their account: name, mobile, password."""

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    mobile = PhoneNumberField(
        label=_("Mobile"),
        region="FR",
        validators=[validate_mobile],
        error_messages={
            "invalid": INVALID_PHONE,
            "required": _("Saisissez votre numéro de mobile."),
        },
        help_text=_("Un numéro de mobile français ou au format international (+…)."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif password1:
            candidate = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            for message in password_refusals(password1, candidate):
                self.add_error("password1", message)
        return cleaned

    def mobile_e164(self) -> str:
        mobile = self.cleaned_data.get("mobile")
        return mobile.as_e164 if mobile else ""


class AcceptLoginForm(forms.Form):
    """Someone who already has an account confirms it is them with their password."""

    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
