"""A RIB change: holder, IBAN, BIC and a proof of power. Validation only: the change is a request
that support validates; `client_requests.services` refuses the current IBAN and a second one."""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid

from client_requests.forms.fields import ProofOfPowerField

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# two letters (country), two check digits, then letters and digits
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")

IBAN_SHAPE_ERROR = _(
    "Saisissez un IBAN complet : 2 lettres du pays, 2 chiffres de clé, puis le numéro de compte "
    "(par exemple FR76 3000 6000 0112 3456 7890 189)."
)
IBAN_COUNTRY_ERROR = _(
    "Cet IBAN n’a pas le format des IBAN de son pays (longueur ou caractères) : vérifiez-le."
)
IBAN_CHECKSUM_ERROR = _(
    "Cet IBAN est erroné (la clé de contrôle ne correspond pas) : vérifiez chaque caractère."
)
BIC_ERROR = _("Saisissez un BIC valide : 8 ou 11 caractères, par exemple BNPAFRPP ou BNPAFRPPXXX.")


def _compact(value: str) -> str:
    return _SPACES.sub("", value).replace("-", "").upper()


def clean_iban(value: str) -> str:
    """The IBAN in compact upper case, checked for its country's format and its mod 97 key."""
    iban = _compact(value)
    if not _IBAN_SHAPE.fullmatch(iban):
        raise ValidationError(IBAN_SHAPE_ERROR, code="invalid_format")
    # stdnum checks the key first: with the right key, what still fails is the format
    rekeyed = iban[:2] + stdnum_iban.calc_check_digits(iban) + iban[4:]
    try:
        stdnum_iban.validate(rekeyed)
    except InvalidChecksum:  # a national key inside the account number (the French RIB key)
        raise ValidationError(IBAN_CHECKSUM_ERROR, code="invalid_checksum") from None
    except NumberInvalid:
        raise ValidationError(IBAN_COUNTRY_ERROR, code="invalid_format") from None
    if rekeyed != iban:
        raise ValidationError(IBAN_CHECKSUM_ERROR, code="invalid_checksum")
    return iban


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
        return clean_iban(self.cleaned_data["iban"])

    def clean_bic(self) -> str:
        bic = _compact(self.cleaned_data["bic"])
        try:
            return str(stdnum_bic.validate(bic))
        except NumberInvalid:
            raise ValidationError(BIC_ERROR, code="invalid") from None

    def request_fields(self) -> dict[str, Any]:
        return {
            "holder": self.cleaned_data["holder"],
            "iban": self.cleaned_data["iban"],
            "bic": self.cleaned_data["bic"],
            "proof_of_power": self.cleaned_data["proof_of_power"],
        }
