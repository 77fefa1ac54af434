"""Rachat anticipé: on an active CBM or LOCFI contract, from today to before its end."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from client_requests.kinds import (
    BUYOUT_KIND_OF_CONTRACT,
    EARLY_BUYOUT_CONTRACT_KINDS,
)
from client_requests.services.common import RequestRefused
from client_requests.services.rules.common import (
    DATE_IN_THE_PAST,
    contract_refusal,
    short_date,
)
from companies.models import Contract

BUYOUT_WRONG_CONTRACT = gettext_lazy(
    "Le rachat anticipé ne concerne que les contrats de crédit-bail mobilier (CBM) et de "
    "location financière (LOCFI)."
)


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
