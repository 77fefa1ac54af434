"""The sections' requests, one service each: fund operations, duplicates, RIB changes, early
buyouts. Each checks its section's rules (`client_requests.services.rules`, which the forms call
too) before it files, and submits at once."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from client_requests.kinds import BUYOUT_KIND_OF_CONTRACT, RequestKind
from client_requests.models import ClientRequest
from client_requests.selectors import buyout_open, open_bank_details_change
from client_requests.services.common import NewFile, RequestRefused, _check_may_file, _file
from client_requests.services.rules import (
    FUND_OPERATIONS,
    bic_checked,
    buyout_contract_refusal,
    buyout_date_refusal,
    contract_refusal,
    duplicate_fee,
    fund_operation_contract_refusal,
    fund_operation_details,
    fund_operation_refusals,
    holder_checked,
    iban_checked,
    new_iban_refusal,
    text_refusal,
)
from companies.models import Company, Contract, Membership


def fund_operation_request(
    *,
    membership: Membership,
    kind: RequestKind,
    contract: Contract,
    date: datetime.date,
    scope: str | None = None,
    amount: Decimal | None = None,
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """Ask for a fund operation on an active CLUB credit of the company: a renunciation or an
    early repayment (of the whole `scope` or of an `amount`), a disbursement of an `amount`, or a
    statement; each on a `date` within the contract. Submitted at once; the bank moves the money
    once it has handled the request."""
    now = now or timezone.now()
    if kind not in FUND_OPERATIONS:
        raise RequestRefused(_("Opération inconnue."))
    _check_may_file(membership, kind)
    if refusal := fund_operation_contract_refusal(
        contract=contract, company_id=membership.company_id
    ):
        raise refusal
    refusals = fund_operation_refusals(
        kind=kind,
        contract=contract,
        date=date,
        today=timezone.localdate(now),
        scope=scope,
        amount=amount,
    )
    if refusals:
        raise refusals[0]
    return _file(
        membership=membership,
        kind=kind,
        contract=contract,
        details=fund_operation_details(
            kind=kind, contract=contract, date=date, scope=scope, amount=amount
        ),
        message="",
        fee=Decimal("0"),
        files=(),
        submit=True,
        ip_address=ip_address,
        now=now,
    )


def duplicate_request(
    *,
    membership: Membership,
    contract: Contract,
    title: str,
    message: str = "",
    ip_address: str | None = None,
    now: datetime.datetime | None = None,
) -> ClientRequest:
    """Ask the bank for a duplicate of a contract's document `title` (or of the whole contract);
    the fee is the company's (`duplicate_fee`), recorded on the request."""
    _check_may_file(membership, RequestKind.DUPLICATE)
    if refusal := contract_refusal(
        contract=contract, company_id=membership.company_id
    ) or text_refusal(message, field="message"):
        raise refusal
    # keys that client_requests.display labels, so the request reads well everywhere
    details = {
        "subject": _("Duplicata : %(title)s") % {"title": title},
        "contract_reference": contract.reference,
        "document": title,
    }
    return _file(
        membership=membership,
        kind=RequestKind.DUPLICATE,
        contract=contract,
        details=details,
        message=message.strip(),
        fee=duplicate_fee(company=membership.company),
        files=(),
        submit=True,
        ip_address=ip_address,
        now=now or timezone.now(),
    )


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
    _check_may_file(membership, RequestKind.BANK_DETAILS_CHANGE)
    holder, iban, bic = holder_checked(holder), iban_checked(iban), bic_checked(bic)
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
        if refusal := new_iban_refusal(company=company, iban=iban):
            raise refusal
        return _file(
            membership=membership,
            kind=RequestKind.BANK_DETAILS_CHANGE,
            contract=None,
            details={"holder": holder, "iban": iban, "bic": bic},
            message="",
            fee=Decimal("0"),
            files=[proof_of_power],
            submit=True,
            ip_address=ip_address,
            now=now or timezone.now(),
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
    """CBM: early purchase option at the residual value; LOCFI: termination with sale. On an
    active contract of the company, on a date from today to before the contract's end."""
    now = now or timezone.now()
    if refusal := buyout_contract_refusal(contract=contract, company_id=membership.company_id):
        raise refusal
    kind = BUYOUT_KIND_OF_CONTRACT[contract.kind]
    _check_may_file(membership, kind)
    if refusal := buyout_date_refusal(
        contract=contract, date=desired_date, today=timezone.localdate(now)
    ):
        raise refusal
    details = {"buyout_date": desired_date.isoformat()}
    if kind == RequestKind.EARLY_PURCHASE_OPTION:
        # the purchase option price
        details["residual_value"] = str(contract.residual_value)
    with transaction.atomic():
        # lock: two members filing at once must not both open a buyout of the same contract
        Contract.objects.select_for_update().filter(pk=contract.pk).first()
        if buyout_open(contract=contract):
            raise RequestRefused(
                _("Une demande de rachat anticipé est déjà en cours pour ce contrat."),
                field="contract",
            )
        return _file(
            membership=membership,
            kind=kind,
            contract=contract,
            details=details,
            message="",
            fee=Decimal("0"),
            files=[proof_of_power],
            submit=True,
            ip_address=ip_address,
            now=now,
        )
