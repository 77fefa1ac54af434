"""Gestion des fonds: the four operations on a CLUB credit, its limits and its dates."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from client_requests.kinds import (
    FUND_OPERATION_CONTRACT_KINDS,
    OperationScope,
    RequestKind,
)
from client_requests.services.common import RequestRefused
from client_requests.services.rules.common import (
    CHOOSE_AN_OPTION,
    DATE_IN_THE_PAST,
    amount_refusal,
    contract_refusal,
    euros,
    money,
    short_date,
)
from companies.models import Contract

FUND_OPERATION_WRONG_CONTRACT = gettext_lazy(
    "Les opérations sur les fonds ne concernent que les crédits CLUB."
)


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
    if refusal := amount_refusal(amount):
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
