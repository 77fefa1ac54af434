"""Changement de RIB: the holder, an IBAN with its country's format and key, a BIC, and not the
company's current IBAN."""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid

from client_requests.services.common import RequestRefused
from companies.models import Company

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
# two letters (country), two check digits, then letters and digits
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}")

IBAN_SHAPE_ERROR = gettext_lazy(
    "Saisissez un IBAN complet : 2 lettres du pays, 2 chiffres de clé, puis le numéro de compte "
    "(par exemple FR76 3000 6000 0112 3456 7890 189)."
)
IBAN_COUNTRY_ERROR = gettext_lazy(
    "Cet IBAN n’a pas le format des IBAN de son pays (longueur ou caractères) : vérifiez-le."
)
IBAN_CHECKSUM_ERROR = gettext_lazy(
    "Cet IBAN est erroné (la clé de contrôle ne correspond pas) : vérifiez chaque caractère."
)
BIC_ERROR = gettext_lazy(
    "Saisissez un BIC valide : 8 ou 11 caractères, par exemple BNPAFRPP ou BNPAFRPPXXX."
)


def _compact(value: str) -> str:
    return _SPACES.sub("", value).replace("-", "").upper()


def iban_checked(value: str) -> str:
    """The IBAN in compact upper case, checked for its country's format and its mod 97 key;
    RequestRefused (field "iban") when it is not one."""
    iban = _compact(value)
    if not _IBAN_SHAPE.fullmatch(iban):
        raise RequestRefused(str(IBAN_SHAPE_ERROR), field="iban")
    # stdnum checks the key first: with the right key, what still fails is the format
    rekeyed = iban[:2] + stdnum_iban.calc_check_digits(iban) + iban[4:]
    try:
        stdnum_iban.validate(rekeyed)
    except InvalidChecksum:  # a national key inside the account number (the French RIB key)
        raise RequestRefused(str(IBAN_CHECKSUM_ERROR), field="iban") from None
    except NumberInvalid:
        raise RequestRefused(str(IBAN_COUNTRY_ERROR), field="iban") from None
    if rekeyed != iban:
        raise RequestRefused(str(IBAN_CHECKSUM_ERROR), field="iban")
    return iban


def bic_checked(value: str) -> str:
    """The BIC in compact upper case; RequestRefused (field "bic") when it is not one."""
    try:
        return str(stdnum_bic.validate(_compact(value)))
    except NumberInvalid:
        raise RequestRefused(str(BIC_ERROR), field="bic") from None


def holder_checked(value: str) -> str:
    holder = value.strip()
    if not holder:
        raise RequestRefused(_("Saisissez le titulaire du compte."), field="holder")
    if len(holder) > 140:
        raise RequestRefused(
            _("Le titulaire du compte tient en 140 caractères au plus."), field="holder"
        )
    return holder


def new_iban_refusal(*, company: Company, iban: str) -> RequestRefused | None:
    if iban == company.iban:
        return RequestRefused(
            _("Cet IBAN est déjà celui de l’entreprise : saisissez le nouvel IBAN."),
            field="iban",
        )
    return None
