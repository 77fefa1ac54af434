"""The four requests of "Gestion des fonds", on CLUB contracts only. Validation only: nothing here
moves money, and the view files each one as a request."""

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from client_requests.forms.fields import AmountField, ContractField, DateField, euros, short_date
from client_requests.kinds import RequestKind
from client_requests.operations import (
    FUND_OPERATION_CONTRACT_KINDS,
    company_contracts,
    eligible_contracts,
)
from teams.models import Company, Contract

# a renunciation or an early repayment is of the whole amount or of a part of it; the value is
# stored in `details["scope"]`, which the request's page shows as it is
TOTAL = "total"
PARTIAL = "partiel"


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


class FundOperationForm(forms.Form):
    """A request on one of the company's active CLUB contracts; dates are checked against `today`."""

    kind: ClassVar[RequestKind]
    date_field: ClassVar[str]

    contract = _club_contract_field()

    def __init__(self, *args: Any, company: Company, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        contract_field: ContractField = self.fields["contract"]  # type: ignore[assignment]
        contract_field.limit_to(
            eligible=eligible_contracts(company=company, kinds=FUND_OPERATION_CONTRACT_KINDS),
            company_contracts=company_contracts(company=company),
        )

    def _check_date(self, contract: Contract, *, from_start: bool = False) -> None:
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
        elif from_start and value < contract.start_date:
            self.add_error(
                self.date_field,
                gettext("Choisissez une date à partir du %(start)s, début du contrat.")
                % {"start": short_date(contract.start_date)},
            )

    def _check_amount_within(self, limit: Decimal, message: str) -> None:
        amount: Decimal | None = self.cleaned_data.get("amount")
        if amount is not None and amount > limit:
            self.add_error("amount", message % {"limit": euros(limit)})

    def _require_partial_amount(self) -> None:
        if (
            self.cleaned_data.get("scope") == PARTIAL
            and self.cleaned_data.get("amount") is None
            and "amount" not in self.errors
        ):
            self.add_error("amount", gettext("Indiquez le montant, ou choisissez l’option totale."))

    def details(self) -> dict[str, str]:
        raise NotImplementedError


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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        if contract is None:
            return cleaned
        if contract.available_amount <= 0:
            self.add_error(
                "contract",
                gettext("Ce crédit est entièrement utilisé : il n’y a plus rien à quoi renoncer."),
            )
            return cleaned
        self._require_partial_amount()
        if cleaned.get("scope") == PARTIAL:
            self._check_amount_within(
                contract.available_amount,
                gettext("Le montant dépasse la part non utilisée de ce crédit (%(limit)s)."),
            )
        self._check_date(contract)
        return cleaned

    def details(self) -> dict[str, str]:
        contract: Contract = self.cleaned_data["contract"]
        scope = self.cleaned_data["scope"]
        amount = contract.available_amount if scope == TOTAL else self.cleaned_data["amount"]
        return {
            "scope": scope,
            "amount": _money(amount),
            "requested_date": self.cleaned_data["effective_date"].isoformat(),
        }


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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        if contract is None:
            return cleaned
        if contract.available_amount <= 0:
            self.add_error(
                "contract",
                gettext("Ce crédit est entièrement décaissé : il n’y a plus rien de disponible."),
            )
            return cleaned
        self._check_amount_within(
            contract.available_amount,
            gettext("Le montant dépasse le disponible de ce crédit (%(limit)s)."),
        )
        self._check_date(contract, from_start=True)
        return cleaned

    def details(self) -> dict[str, str]:
        return {
            "amount": _money(self.cleaned_data["amount"]),
            "disbursement_date": self.cleaned_data["desired_date"].isoformat(),
        }


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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        if contract is None:
            return cleaned
        if contract.drawn_amount <= 0:
            self.add_error(
                "contract",
                gettext("Rien n’a été décaissé sur ce crédit : il n’y a rien à rembourser."),
            )
            return cleaned
        self._require_partial_amount()
        if cleaned.get("scope") == PARTIAL:
            self._check_amount_within(
                contract.drawn_amount,
                gettext("Le montant dépasse le capital restant dû de ce crédit (%(limit)s)."),
            )
        self._check_date(contract)
        return cleaned

    def details(self) -> dict[str, str]:
        contract: Contract = self.cleaned_data["contract"]
        scope = self.cleaned_data["scope"]
        amount = contract.drawn_amount if scope == TOTAL else self.cleaned_data["amount"]
        return {
            "scope": scope,
            "amount": _money(amount),
            "repayment_date": self.cleaned_data["repayment_date"].isoformat(),
        }


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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        if contract is not None:
            self._check_date(contract)
        return cleaned

    def details(self) -> dict[str, str]:
        return {"statement_date": self.cleaned_data["as_of_date"].isoformat()}


# The prefix of each form on the page, also the value of its hidden "operation" input.
FUND_OPERATION_FORMS: dict[str, type[FundOperationForm]] = {
    "renonciation": RenunciationForm,
    "decaissement": DisbursementForm,
    "remboursement": EarlyRepaymentForm,
    "decompte": StatementForm,
}
