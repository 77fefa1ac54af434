"""An early buyout: an active CBM or LOCFI contract, a date, a proof of power. Validation only:
the rules are `client_requests.services.rules`, which the service checks again."""

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from client_requests.forms.fields import (
    ContractField,
    ContractForm,
    DateField,
    ProofOfPowerField,
    add_refusals,
)
from client_requests.kinds import EARLY_BUYOUT_CONTRACT_KINDS
from client_requests.services.rules import buyout_contract_refusal, buyout_date_refusal
from companies.models import Contract


class EarlyBuyoutForm(ContractForm):
    contract_kinds = EARLY_BUYOUT_CONTRACT_KINDS

    contract = ContractField(label=_("Contrat CBM ou LOCFI"), refusal=buyout_contract_refusal)
    desired_date = DateField(
        label=_("Date souhaitée"),
        help_text=_("À partir d’aujourd’hui, avant la date de fin du contrat."),
    )
    proof_of_power = ProofOfPowerField()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contract: Contract | None = cleaned.get("contract")
        desired: datetime.date | None = cleaned.get("desired_date")
        if contract is not None and desired is not None:
            refusal = buyout_date_refusal(contract=contract, date=desired, today=self.today)
            add_refusals(self, [refusal] if refusal else [])
        return cleaned

    def request_fields(self) -> dict[str, Any]:
        return {
            "contract": self.cleaned_data["contract"],
            "desired_date": self.cleaned_data["desired_date"],
            "proof_of_power": self.cleaned_data["proof_of_power"],
        }
