"""What several sections check: the contract a request is about, amounts and dates, the kinds
"Demandes de l'entreprise" files, the fee of a duplicate, the files a member attaches."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from client_requests.kinds import (
    COMPANY_REQUEST_KINDS,
    AttachmentPurpose,
    RequestKind,
)
from client_requests.services.common import PROOF_REQUIRED_KINDS, NewFile, RequestRefused
from companies.models import Company, Contract, ContractStatus


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


def amount_refusal(amount: Decimal) -> RequestRefused | None:
    if not amount.is_finite() or amount <= 0:
        return RequestRefused(str(AMOUNT_NOT_POSITIVE), field="amount")
    if amount != amount.quantize(Decimal("0.01")):
        return RequestRefused(str(AMOUNT_CENTS), field="amount")
    return None


def money(amount: Decimal) -> str:
    """Amounts are stored as strings with the cents, "10000.00"."""
    return str(amount.quantize(Decimal("0.01")))


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
