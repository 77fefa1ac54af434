"""The four requests of "Gestion des fonds", on CLUB contracts only. Validation only: the rules
(the credit's limits, the contract's dates) are `client_requests.services.rules`, which the
service filing the request checks again; filing a request only asks the bank."""

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from client_requests.forms.fields import (
    AmountField,
    ContractField,
    ContractForm,
    DateField,
    add_refusals,
)
from client_requests.kinds import FUND_OPERATION_CONTRACT_KINDS, OperationScope, RequestKind
from client_requests.services.rules import (
    CHOOSE_AN_OPTION,
    euros,
    fund_operation_contract_refusal,
    fund_operation_refusals,
    short_date,
)
from companies.models import Contract

# stored in `details["scope"]`; the request's page shows its label (`client_requests.display`)
TOTAL = OperationScope.TOTAL.value
PARTIAL = OperationScope.PARTIAL.value


def _describe_club(contract: Contract) -> str:
    return gettext(
        "%(reference)s — disponible %(available)s — décaissé %(drawn)s — fin le %(end)s"
    ) % {
        "reference": contract.reference,
        "available": euros(contract.available_amount),
        "drawn": euros(contract.drawn_amount),
        "end": short_date(contract.end_date),
    }


def _club_contract_field() -> ContractField:
    return ContractField(
        label=_("Contrat CLUB"),
        refusal=fund_operation_contract_refusal,
        describe=_describe_club,
    )


class FundOperationForm(ContractForm):
    """A request on one of the company's active CLUB contracts; dates are checked against `today`.

    A subclass names its date field; the rule's refusals about "the date" are shown beside it."""

    kind: ClassVar[RequestKind]
    date_field: ClassVar[str]
    contract_kinds = FUND_OPERATION_CONTRACT_KINDS

    contract = _club_contract_field()

    @property
    def refusal_fields(self) -> dict[str, str]:
        return {"date": self.date_field}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        if contract is not None:
            add_refusals(
                self,
                fund_operation_refusals(
                    kind=self.kind,
                    contract=contract,
                    date=cleaned.get(self.date_field),
                    today=self.today,
                    scope=cleaned.get("scope"),
                    amount=cleaned.get("amount"),
                ),
            )
        return cleaned

    def request_fields(self) -> dict[str, Any]:
        """The service's arguments: `client_requests.services.fund_operation_request`."""
        date: datetime.date = self.cleaned_data[self.date_field]
        amount: Decimal | None = self.cleaned_data.get("amount")
        return {
            "kind": self.kind,
            "contract": self.cleaned_data["contract"],
            "date": date,
            "scope": self.cleaned_data.get("scope"),
            "amount": amount,
        }


def _scope_field(label: Any, total: Any, partial: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[(TOTAL, total), (PARTIAL, partial)],
        initial=TOTAL,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_AN_OPTION, "invalid_choice": CHOOSE_AN_OPTION},
    )


class RenunciationForm(FundOperationForm):
    kind = RequestKind.CREDIT_RENUNCIATION
    date_field = "effective_date"

    scope = _scope_field(
        _("Renoncer à"),
        _("toute la part non utilisée"),
        _("une partie de la part non utilisée"),
    )
    amount = AmountField(
        label=_("Montant auquel renoncer (€)"),
        required=False,
        help_text=_("Seulement pour une renonciation partielle. Par exemple : 10 000,00"),
    )
    effective_date = DateField(
        label=_("Date d’effet"),
        help_text=_("À partir d’aujourd’hui, au plus tard à la fin du contrat."),
    )


class DisbursementForm(FundOperationForm):
    kind = RequestKind.DISBURSEMENT
    date_field = "desired_date"

    amount = AmountField(
        label=_("Montant à décaisser (€)"),
        help_text=_("Au plus le montant disponible du crédit. Par exemple : 25 000,00"),
    )
    desired_date = DateField(
        label=_("Date souhaitée du décaissement"),
        help_text=_("À partir d’aujourd’hui, pendant la durée du contrat."),
    )


class EarlyRepaymentForm(FundOperationForm):
    kind = RequestKind.EARLY_REPAYMENT
    date_field = "repayment_date"

    scope = _scope_field(
        _("Rembourser"),
        _("la totalité du capital restant dû"),
        _("une partie du capital restant dû"),
    )
    amount = AmountField(
        label=_("Montant à rembourser (€)"),
        required=False,
        help_text=_("Seulement pour un remboursement partiel. Par exemple : 10 000,00"),
    )
    repayment_date = DateField(
        label=_("Date souhaitée du remboursement"),
        help_text=_("À partir d’aujourd’hui, au plus tard à la fin du contrat."),
    )


class StatementForm(FundOperationForm):
    kind = RequestKind.STATEMENT
    date_field = "as_of_date"

    as_of_date = DateField(
        label=_("Date du décompte"),
        help_text=_(
            "La date à laquelle la banque calcule les sommes dues : à partir d’aujourd’hui, "
            "au plus tard à la fin du contrat."
        ),
    )


# The prefix of each form on the page, also the value of its hidden "operation" input.
FUND_OPERATION_FORMS: dict[str, type[FundOperationForm]] = {
    "renonciation": RenunciationForm,
    "decaissement": DisbursementForm,
    "remboursement": EarlyRepaymentForm,
    "decompte": StatementForm,
}
