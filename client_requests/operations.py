"""Old home of the fund operations, bank details and early buyout rules, kept so that imports still
work: the rules live in `client_requests.services` (filing), the reads in `client_requests.selectors`,
the kinds in `client_requests.kinds` and the IBAN's masking in `client_requests.display`. Import
from there in new code."""

from client_requests.display import iban_masked
from client_requests.kinds import (
    BANK_DETAILS_KINDS,
    BUYOUT_KIND_OF_CONTRACT,
    EARLY_BUYOUT_CONTRACT_KINDS,
    EARLY_BUYOUT_KINDS,
    FUND_OPERATION_CONTRACT_KINDS,
    FUND_OPERATION_KINDS,
)
from client_requests.selectors import (
    company_contracts,
    eligible_contracts,
    open_bank_details_change,
)
from client_requests.services import bank_details_change_request, early_buyout_request

__all__ = [
    "BANK_DETAILS_KINDS",
    "BUYOUT_KIND_OF_CONTRACT",
    "EARLY_BUYOUT_CONTRACT_KINDS",
    "EARLY_BUYOUT_KINDS",
    "FUND_OPERATION_CONTRACT_KINDS",
    "FUND_OPERATION_KINDS",
    "bank_details_change_request",
    "company_contracts",
    "early_buyout_request",
    "eligible_contracts",
    "iban_masked",
    "open_bank_details_change",
]
