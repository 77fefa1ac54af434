"""An early buyout: an active CBM or LOCFI contract, a date, a proof of power. Validation only."""

import datetime
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from client_requests.forms.fields import (
    ContractField,
    ContractForm,
    DateField,
    ProofOfPowerField,
    short_date,
)
from client_requests.kinds import EARLY_BUYOUT_CONTRACT_KINDS
from companies.models import Contract


class EarlyBuyoutForm(ContractForm):
    contract_kinds = EARLY_BUYOUT_CONTRACT_KINDS

    contract = ContractField(
        label=_("Contrat CBM ou LOCFI"),
        wrong_kind_message=_(
            "Le rachat anticipé ne concerne que les contrats de crédit-bail mobilier (CBM) et de "
            "location financière (LOCFI)."
        ),
    )
    desired_date = DateField(
        label=_("Date souhaitée"),
        help_text=_("À partir d’aujourd’hui, avant la date de fin du contrat."),
    )
    proof_of_power = ProofOfPowerField()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        desired: datetime.date | None = cleaned.get("desired_date")
        if contract is None or desired is None:
            return cleaned
        if desired < self.today:
            self.add_error("desired_date", gettext("Choisissez une date à partir d’aujourd’hui."))
        elif desired >= contract.end_date:
            self.add_error(
                "desired_date",
                gettext("Choisissez une date avant le %(end)s, fin du contrat.")
                % {"end": short_date(contract.end_date)},
            )
        return cleaned

    def request_fields(self) -> dict[str, Any]:
        return {
            "contract": self.cleaned_data["contract"],
            "desired_date": self.cleaned_data["desired_date"],
            "proof_of_power": self.cleaned_data["proof_of_power"],
        }
