"""The rules a request must meet before it is filed, in one place: the service that files it
checks them, and the section's form calls the same functions to show each refusal beside its
field. Nothing here writes.

A check returns the refusals (`RequestRefused`, with the field they concern) rather than raising,
so that a form can show all of them at once; a service raises the first.
"""

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberInvalid

from client_requests.kinds import (
    BUYOUT_KIND_OF_CONTRACT,
    COMPANY_REQUEST_KINDS,
    EARLY_BUYOUT_CONTRACT_KINDS,
    FUND_OPERATION_CONTRACT_KINDS,
    AttachmentPurpose,
    OperationScope,
    RequestKind,
)
from client_requests.services.common import PROOF_REQUIRED_KINDS, NewFile, RequestRefused
from teams.models import Company, Contract, ContractStatus


def euros(amount: Decimal) -> str:
    """1234.5 → "1 234,50 €" (French grouping)."""
    return _("%(amount)s €") % {
        "amount": number_format(amount, 2, use_l10n=True, force_grouping=True)
    }


def short_date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- the contract a request is about ------------------------------------------------------------

CONTRACT_NOT_OURS = gettext_lazy("Ce contrat n’appartient pas à votre entreprise.")
CONTRACT_CLOSED = gettext_lazy("Ce contrat est clos : aucune demande n’est possible.")
FUND_OPERATION_WRONG_CONTRACT = gettext_lazy(
    "Les opérations sur les fonds ne concernent que les crédits CLUB."
)
BUYOUT_WRONG_CONTRACT = gettext_lazy(
    "Le rachat anticipé ne concerne que les contrats de crédit-bail mobilier (CBM) et de "
    "location financière (LOCFI)."
)


def contract_refusal(
    *,
    contract: Contract,
    company_id: int,
    kinds: tuple[str, ...] | None = None,
    wrong_kind: str | Promise = "",
) -> RequestRefused | None:
    """Why a request cannot be filed on this contract: another company's, closed, or not of the
    `kinds` the section files on (None: any kind, open or closed). None: it can."""
    if contract.company_id != company_id:
        return RequestRefused(str(CONTRACT_NOT_OURS), field="contract")
    if kinds is None:
        return None
    if contract.status == ContractStatus.CLOSED:
        return RequestRefused(str(CONTRACT_CLOSED), field="contract")
    if contract.kind not in kinds or contract.status != ContractStatus.ACTIVE:
        return RequestRefused(str(wrong_kind), field="contract")
    return None


# --- dates and amounts ---------------------------------------------------------------------------

DATE_IN_THE_PAST = gettext_lazy("Choisissez une date à partir d’aujourd’hui.")
AMOUNT_NOT_POSITIVE = gettext_lazy("Le montant doit être supérieur à zéro.")
AMOUNT_CENTS = gettext_lazy("Le montant a au plus 2 décimales (les centimes).")
CHOOSE_AN_OPTION = gettext_lazy("Choisissez une option.")


def _amount_refusal(amount: Decimal) -> RequestRefused | None:
    if not amount.is_finite() or amount <= 0:
        return RequestRefused(str(AMOUNT_NOT_POSITIVE), field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        return RequestRefused(str(AMOUNT_CENTS), field="amount")
    return None


def money(amount: Decimal) -> str:
    """Amounts are stored as strings with the cents, "10000.00"."""
    return str(amount.quantize(Decimal("0.01")))


# --- fund operations (CLUB credits) ------------------------------------------------------------


def _available(contract: Contract) -> Decimal:
    return contract.available_amount


def _drawn(contract: Contract) -> Decimal:
    return contract.drawn_amount


@dataclass(frozen=True)
class FundOperation:
    """What a fund operation asks for. With a `limit`, an amount up to it (what is still
    available, or what has been drawn); `scoped`: the whole of the limit or a part of it."""

    date_detail: str
    limit: Callable[[Contract], Decimal] | None = None
    scoped: bool = False
    # the date may not come before the contract's start
    date_from_start: bool = False
    nothing_left: str | Promise = ""
    over_limit: str | Promise = ""


FUND_OPERATIONS: dict[RequestKind, FundOperation] = {
    RequestKind.CREDIT_RENUNCIATION: FundOperation(
        date_detail="requested_date",
        limit=_available,
        scoped=True,
        nothing_left=gettext_lazy(
            "Ce crédit est entièrement utilisé : il n’y a plus rien à quoi renoncer."
        ),
        over_limit=gettext_lazy(
            "Le montant dépasse la part non utilisée de ce crédit (%(limit)s)."
        ),
    ),
    RequestKind.DISBURSEMENT: FundOperation(
        date_detail="disbursement_date",
        limit=_available,
        date_from_start=True,
        nothing_left=gettext_lazy(
            "Ce crédit est entièrement décaissé : il n’y a plus rien de disponible."
        ),
        over_limit=gettext_lazy("Le montant dépasse le disponible de ce crédit (%(limit)s)."),
    ),
    RequestKind.EARLY_REPAYMENT: FundOperation(
        date_detail="repayment_date",
        limit=_drawn,
        scoped=True,
        nothing_left=gettext_lazy(
            "Rien n’a été décaissé sur ce crédit : il n’y a rien à rembourser."
        ),
        over_limit=gettext_lazy(
            "Le montant dépasse le capital restant dû de ce crédit (%(limit)s)."
        ),
    ),
    RequestKind.STATEMENT: FundOperation(date_detail="statement_date"),
}


def fund_operation_contract_refusal(
    *, contract: Contract, company_id: int
) -> RequestRefused | None:
    return contract_refusal(
        contract=contract,
        company_id=company_id,
        kinds=FUND_OPERATION_CONTRACT_KINDS,
        wrong_kind=FUND_OPERATION_WRONG_CONTRACT,
    )


def _fund_amount_refusals(
    operation: FundOperation, *, limit: Decimal, scope: str | None, amount: Decimal | None
) -> list[RequestRefused]:
    if operation.scoped:
        if scope not in OperationScope.values:
            return [RequestRefused(str(CHOOSE_AN_OPTION), field="scope")]
        if scope == OperationScope.TOTAL:
            return []
        if amount is None:
            return [
                RequestRefused(
                    _("Indiquez le montant, ou choisissez l’option totale."), field="amount"
                )
            ]
    elif amount is None:
        return [RequestRefused(_("Indiquez le montant."), field="amount")]
    assert amount is not None
    if refusal := _amount_refusal(amount):
        return [refusal]
    if amount > limit:
        return [RequestRefused(str(operation.over_limit) % {"limit": euros(limit)}, field="amount")]
    return []


def _fund_date_refusal(
    operation: FundOperation,
    *,
    contract: Contract,
    date: datetime.date | None,
    today: datetime.date,
) -> RequestRefused | None:
    """Not in the past, not after the contract's end (nor before its start, when asked)."""
    if date is None:
        return RequestRefused(_("Indiquez une date."), field="date")
    if date < today:
        return RequestRefused(str(DATE_IN_THE_PAST), field="date")
    if date > contract.end_date:
        return RequestRefused(
            _("Choisissez une date au plus tard le %(end)s, fin du contrat.")
            % {"end": short_date(contract.end_date)},
            field="date",
        )
    if operation.date_from_start and date < contract.start_date:
        return RequestRefused(
            _("Choisissez une date à partir du %(start)s, début du contrat.")
            % {"start": short_date(contract.start_date)},
            field="date",
        )
    return None


def fund_operation_refusals(
    *,
    kind: RequestKind,
    contract: Contract,
    date: datetime.date | None,
    today: datetime.date,
    scope: str | None = None,
    amount: Decimal | None = None,
) -> list[RequestRefused]:
    """Why this operation cannot be asked for on this CLUB credit (the contract itself is
    checked by `fund_operation_contract_refusal`): an amount over the credit's limit, or a date
    outside the contract. Empty: it can. The date's refusals name the field "date"."""
    operation = FUND_OPERATIONS[kind]
    refusals: list[RequestRefused] = []
    if operation.limit is not None:
        limit = operation.limit(contract)
        if limit <= 0:
            return [RequestRefused(str(operation.nothing_left), field="contract")]
        refusals += _fund_amount_refusals(operation, limit=limit, scope=scope, amount=amount)
    if refusal := _fund_date_refusal(operation, contract=contract, date=date, today=today):
        refusals.append(refusal)
    return refusals


def fund_operation_details(
    *,
    kind: RequestKind,
    contract: Contract,
    date: datetime.date,
    scope: str | None = None,
    amount: Decimal | None = None,
) -> dict[str, str]:
    """What the bank reads of an accepted operation: the amount (the whole limit for a total
    one), the scope of a scoped one, and the date."""
    operation = FUND_OPERATIONS[kind]
    details: dict[str, str] = {}
    if operation.limit is not None:
        if operation.scoped:
            assert scope is not None
            details["scope"] = scope
            if scope == OperationScope.TOTAL:
                amount = operation.limit(contract)
        assert amount is not None
        details["amount"] = money(amount)
    details[operation.date_detail] = date.isoformat()
    return details


# --- early buyout (CBM and LOCFI) -----------------------------------------------------------


def buyout_contract_refusal(*, contract: Contract, company_id: int) -> RequestRefused | None:
    refusal = contract_refusal(
        contract=contract,
        company_id=company_id,
        kinds=EARLY_BUYOUT_CONTRACT_KINDS,
        wrong_kind=BUYOUT_WRONG_CONTRACT,
    )
    if refusal is None and contract.kind not in BUYOUT_KIND_OF_CONTRACT:
        return RequestRefused(str(BUYOUT_WRONG_CONTRACT), field="contract")
    return refusal


def buyout_date_refusal(
    *, contract: Contract, date: datetime.date, today: datetime.date
) -> RequestRefused | None:
    """From today, strictly before the contract's end."""
    if date < today:
        return RequestRefused(str(DATE_IN_THE_PAST), field="desired_date")
    if date >= contract.end_date:
        return RequestRefused(
            _("Choisissez une date avant le %(end)s, fin du contrat.")
            % {"end": short_date(contract.end_date)},
            field="desired_date",
        )
    return None


# --- bank details ----------------------------------------------------------------------------

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


# --- Demandes de l'entreprise and duplicates ---------------------------------------------------


def company_request_refusal(
    *, kind: RequestKind | str, contract: Contract | None, company_id: int
) -> RequestRefused | None:
    """A new contract, an access to a product or an amendment; an amendment names its contract."""
    if kind not in COMPANY_REQUEST_KINDS:
        return RequestRefused(_("Choisissez un type de demande de la liste."), field="kind")
    if contract is not None:
        return contract_refusal(contract=contract, company_id=company_id)
    if kind == RequestKind.AMENDMENT:
        return RequestRefused(
            _("Choisissez le contrat auquel s’applique l’avenant."), field="contract"
        )
    return None


def duplicate_fee(*, company: Company) -> Decimal:
    """A duplicate costs the fee unless the company has the Entreprise subscription."""
    if company.has_entreprise_subscription:
        return Decimal("0")
    return Decimal(settings.DUPLICATE_FEE_EUROS)


# --- the files a member attaches ---------------------------------------------------------------

MAX_FILES = 10


def member_file_purposes(kind: RequestKind | str) -> tuple[AttachmentPurpose, ...]:
    """What a member's file may be: a supporting document, or a proof of power for the kinds
    that need one. Draft documentation comes from the bank only."""
    if kind in PROOF_REQUIRED_KINDS:
        return (AttachmentPurpose.SUPPORTING, AttachmentPurpose.PROOF_OF_POWER)
    return (AttachmentPurpose.SUPPORTING,)


def too_many_files_refusal(count: int) -> RequestRefused | None:
    if count > MAX_FILES:
        return RequestRefused(
            _("Joignez au plus %(count)s fichiers à la fois.") % {"count": MAX_FILES},
            field="documents",
        )
    return None


def member_files_refusal(
    *, kind: RequestKind | str, files: Sequence[NewFile]
) -> RequestRefused | None:
    if refusal := too_many_files_refusal(len(files)):
        return refusal
    allowed = member_file_purposes(kind)
    if any(new_file.purpose not in allowed for new_file in files):
        return RequestRefused(
            _("Ces documents ne peuvent pas être joints à cette demande."), field="purpose"
        )
    return None
