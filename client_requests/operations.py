"""Reads and writes of three sections: fund operations, bank details (RIB) and early buyout.

They file into the one request pipeline (`client_requests.services.request_create`); what is here is
only what these sections add: which contracts are eligible, and the rules a form cannot check alone
(one open RIB change at a time, a new IBAN, one open buyout per contract). Candidates to move into
`client_requests.services` / `client_requests.selectors` when their owner sees fit.
"""

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from client_requests.kinds import RequestKind
from client_requests.models import ClientRequest
from client_requests.services import NewFile, RequestRefused, request_create
from teams.models import Company, Contract, ContractKind, ContractStatus, Membership

FUND_OPERATION_CONTRACT_KINDS = (ContractKind.CLUB,)
FUND_OPERATION_KINDS = (
    RequestKind.CREDIT_RENUNCIATION,
    RequestKind.DISBURSEMENT,
    RequestKind.EARLY_REPAYMENT,
    RequestKind.STATEMENT,
)
BANK_DETAILS_KINDS = (RequestKind.BANK_DETAILS_CHANGE,)
# CBM: the lessee buys the equipment early; LOCFI: the lease ends and the equipment is sold.
BUYOUT_KIND_OF_CONTRACT: dict[str, RequestKind] = {
    ContractKind.CBM: RequestKind.EARLY_PURCHASE_OPTION,
    ContractKind.LOCFI: RequestKind.TERMINATION_WITH_SALE,
}
EARLY_BUYOUT_CONTRACT_KINDS = (ContractKind.CBM, ContractKind.LOCFI)
EARLY_BUYOUT_KINDS = (RequestKind.EARLY_PURCHASE_OPTION, RequestKind.TERMINATION_WITH_SALE)


def company_contracts(*, company: Company) -> QuerySet[Contract]:
    return Contract.objects.filter(company=company)


def eligible_contracts(
    *, company: Company, kinds: tuple[ContractKind, ...] | tuple[str, ...]
) -> QuerySet[Contract]:
    """The company's active contracts of these kinds, the soonest to end first."""
    return (
        company_contracts(company=company)
        .filter(kind__in=kinds, status=ContractStatus.ACTIVE)
        .order_by("end_date", "reference", "pk")
    )


def open_bank_details_change(*, company: Company) -> ClientRequest | None:
    return (
        ClientRequest.objects.open()
        .filter(company=company, kind=RequestKind.BANK_DETAILS_CHANGE)
        .order_by("-created_at", "-pk")
        .first()
    )


def iban_grouped(iban: str) -> str:
    """An IBAN as people read it: groups of four characters."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def iban_masked(iban: str) -> str:
    """Only the last four characters shown, grouped by four: enough to recognise an account."""
    if not iban:
        return ""
    visible = 4
    return iban_grouped("•" * max(len(iban) - visible, 0) + iban[-visible:])


def bank_details_change_request(
    *,
    membership: Membership,
    holder: str,
    iban: str,
    bic: str,
    proof_of_power: NewFile,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """File a RIB change: the company's RIB changes only when support validates the request."""
    with transaction.atomic():
        # lock: two members filing at once must not both open a RIB change
        company = Company.objects.select_for_update().get(pk=membership.company_id)
        pending = open_bank_details_change(company=company)
        if pending is not None:
            raise RequestRefused(
                _(
                    "Une demande de changement de RIB est déjà en cours (n° %(number)s) : "
                    "attendez sa réponse avant d’en faire une autre."
                )
                % {"number": pending.pk}
            )
        if iban == company.iban:
            raise RequestRefused(
                _("Cet IBAN est déjà celui de l’entreprise : saisissez le nouvel IBAN."),
                field="iban",
            )
        return request_create(
            membership=membership,
            kind=RequestKind.BANK_DETAILS_CHANGE,
            details={"holder": holder, "iban": iban, "bic": bic},
            files=[proof_of_power],
            submit=True,
            ip_address=ip_address,
            now=now,
        )


def early_buyout_request(
    *,
    membership: Membership,
    contract: Contract,
    desired_date: datetime.date,
    proof_of_power: NewFile,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """CBM: early purchase option at the residual value; LOCFI: termination with sale."""
    kind = BUYOUT_KIND_OF_CONTRACT.get(contract.kind)
    if kind is None or contract.company_id != membership.company_id:
        raise RequestRefused(
            _("Le rachat anticipé ne concerne que les contrats CBM et LOCFI de l’entreprise."),
            field="contract",
        )
    details = {"buyout_date": desired_date.isoformat()}
    if kind == RequestKind.EARLY_PURCHASE_OPTION:
        # the purchase option price
        details["residual_value"] = str(contract.residual_value)
    with transaction.atomic():
        # lock: two members filing at once must not both open a buyout of the same contract
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        if (
            ClientRequest.objects.open()
            .filter(contract=contract, kind__in=EARLY_BUYOUT_KINDS)
            .exists()
        ):
            raise RequestRefused(
                _("Une demande de rachat anticipé est déjà en cours pour ce contrat."),
                field="contract",
            )
        return request_create(
            membership=membership,
            kind=kind,
            contract=contract,
            details=details,
            files=[proof_of_power],
            submit=True,
            ip_address=ip_address,
            now=now or timezone.now(),
        )
