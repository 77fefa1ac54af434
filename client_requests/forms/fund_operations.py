"""The four requests of "Gestion des fonds", on CLUB contracts only. Validation only: nothing here
moves money, and the view files each one as a request."""

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from client_requests.forms.fields import (
    AmountField,
    ContractField,
    ContractForm,
    DateField,
    euros,
    short_date,
)
from client_requests.kinds import FUND_OPERATION_CONTRACT_KINDS, OperationScope, RequestKind
from companies.models import Contract

# stored in `details["scope"]`; the request's page shows its label (`client_requests.display`)
TOTAL = OperationScope.TOTAL.value
PARTIAL = OperationScope.PARTIAL.value


def _money(amount: Decimal) -> str:
    """Stored as the pipeline stores amounts: a string with the cents, "10000.00"."""
    return str(amount.quantize(Decimal("0.01")))


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
        wrong_kind_message=_("Les opérations sur les fonds ne concernent que les crédits CLUB."),
        describe=_describe_club,
    )


class FundOperationForm(ContractForm):
    """A request on one of the company's active CLUB contracts; dates are checked against `today`.

    A subclass names its date field, the key the date is stored under, and whether the date may
    come before the contract's start."""

    kind: ClassVar[RequestKind]
    date_field: ClassVar[str]
    date_detail: ClassVar[str]
    date_from_start: ClassVar[bool] = False
    contract_kinds = FUND_OPERATION_CONTRACT_KINDS

    contract = _club_contract_field()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        if contract is not None:
            self.check_against(contract)
        return cleaned

    def check_against(self, contract: Contract) -> None:
        self._check_date(contract)

    def _check_date(self, contract: Contract) -> None:
        """Not in the past, not after the contract's end (nor before its start, when asked)."""
        value: datetime.date | None = self.cleaned_data.get(self.date_field)
        if value is None:
            return
        if value < self.today:
            self.add_error(self.date_field, gettext("Choisissez une date à partir d’aujourd’hui."))
        elif value > contract.end_date:
            self.add_error(
                self.date_field,
                gettext("Choisissez une date au plus tard le %(end)s, fin du contrat.")
                % {"end": short_date(contract.end_date)},
            )
        elif self.date_from_start and value < contract.start_date:
            self.add_error(
                self.date_field,
                gettext("Choisissez une date à partir du %(start)s, début du contrat.")
                % {"start": short_date(contract.start_date)},
            )

    def details(self) -> dict[str, str]:
        return {
            **self.amount_details(),
            self.date_detail: self.cleaned_data[self.date_field].isoformat(),
        }

    def amount_details(self) -> dict[str, str]:
        return {}


class _AmountForm(FundOperationForm):
    """An amount up to the contract's limit: what is still available, or what has been drawn."""

    limit_attribute: ClassVar[str]
    nothing_left: ClassVar[str | Promise]
    over_limit: ClassVar[str | Promise]

    def limit(self, contract: Contract) -> Decimal:
        limit: Decimal = getattr(contract, self.limit_attribute)
        return limit

    def check_against(self, contract: Contract) -> None:
        limit = self.limit(contract)
        if limit <= 0:
            self.add_error("contract", str(self.nothing_left))
            return
        self.check_amount(limit)
        self._check_date(contract)

    def check_amount(self, limit: Decimal) -> None:
        amount: Decimal | None = self.cleaned_data.get("amount")
        if amount is not None and amount > limit:
            self.add_error("amount", str(self.over_limit) % {"limit": euros(limit)})

    def amount_details(self) -> dict[str, str]:
        return {"amount": _money(self.cleaned_data["amount"])}


def _scope_field(label: Any, total: Any, partial: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[(TOTAL, total), (PARTIAL, partial)],
        initial=TOTAL,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez une option."),
            "invalid_choice": _("Choisissez une option."),
        },
    )


class _ScopedAmountForm(_AmountForm):
    """The whole of the limit, or a part of it: then the amount is asked for."""

    def check_amount(self, limit: Decimal) -> None:
        if self.cleaned_data.get("scope") != PARTIAL:
            return
        if self.cleaned_data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", gettext("Indiquez le montant, ou choisissez l’option totale."))
        super().check_amount(limit)

    def amount_details(self) -> dict[str, str]:
        scope = self.cleaned_data["scope"]
        if scope == PARTIAL:
            return {"scope": scope, **super().amount_details()}
        return {"scope": scope, "amount": _money(self.limit(self.cleaned_data["contract"]))}


class RenunciationForm(_ScopedAmountForm):
    kind = RequestKind.CREDIT_RENUNCIATION
    date_field = "effective_date"
    date_detail = "requested_date"
    limit_attribute = "available_amount"
    nothing_left = _("Ce crédit est entièrement utilisé : il n’y a plus rien à quoi renoncer.")
    over_limit = _("Le montant dépasse la part non utilisée de ce crédit (%(limit)s).")

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


class DisbursementForm(_AmountForm):
    kind = RequestKind.DISBURSEMENT
    date_field = "desired_date"
    date_detail = "disbursement_date"
    date_from_start = True
    limit_attribute = "available_amount"
    nothing_left = _("Ce crédit est entièrement décaissé : il n’y a plus rien de disponible.")
    over_limit = _("Le montant dépasse le disponible de ce crédit (%(limit)s).")

    amount = AmountField(
        label=_("Montant à décaisser (€)"),
        help_text=_("Au plus le montant disponible du crédit. Par exemple : 25 000,00"),
    )
    desired_date = DateField(
        label=_("Date souhaitée du décaissement"),
        help_text=_("À partir d’aujourd’hui, pendant la durée du contrat."),
    )


class EarlyRepaymentForm(_ScopedAmountForm):
    kind = RequestKind.EARLY_REPAYMENT
    date_field = "repayment_date"
    date_detail = "repayment_date"
    limit_attribute = "drawn_amount"
    nothing_left = _("Rien n’a été décaissé sur ce crédit : il n’y a rien à rembourser.")
    over_limit = _("Le montant dépasse le capital restant dû de ce crédit (%(limit)s).")

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
    date_detail = "statement_date"

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
