"""The rules a request must meet before it is filed, in one place: the service that files it
checks them, and the section's form calls the same functions to show each refusal beside its
field. Nothing here writes.

A check returns its refusals (`RequestRefused`, with the field they concern) rather than raising
when a form needs them all at once; a service raises the first.
"""

from client_requests.services.rules.bank_details import (
    BIC_ERROR,
    IBAN_CHECKSUM_ERROR,
    IBAN_COUNTRY_ERROR,
    IBAN_SHAPE_ERROR,
    bic_checked,
    holder_checked,
    iban_checked,
    new_iban_refusal,
)
from client_requests.services.rules.buyout import (
    BUYOUT_WRONG_CONTRACT,
    buyout_contract_refusal,
    buyout_date_refusal,
)
from client_requests.services.rules.common import (
    AMOUNT_CENTS,
    AMOUNT_NOT_POSITIVE,
    CHOOSE_AN_OPTION,
    CONTRACT_CLOSED,
    CONTRACT_NOT_OURS,
    DATE_IN_THE_PAST,
    MAX_FILES,
    company_request_refusal,
    contract_refusal,
    duplicate_fee,
    euros,
    member_file_purposes,
    member_files_refusal,
    money,
    short_date,
    too_many_files_refusal,
)
from client_requests.services.rules.funds import (
    FUND_OPERATION_WRONG_CONTRACT,
    FUND_OPERATIONS,
    FundOperation,
    fund_operation_contract_refusal,
    fund_operation_details,
    fund_operation_refusals,
)
from client_requests.services.rules.texts import (
    SUBJECT_MAX_LENGTH,
    SUBJECT_REQUIRED,
    TEXT_MAX_LENGTH,
    TEXT_TOO_LONG,
    subject_refusal,
    text_refusal,
)

__all__ = [
    "AMOUNT_CENTS",
    "AMOUNT_NOT_POSITIVE",
    "BIC_ERROR",
    "BUYOUT_WRONG_CONTRACT",
    "CHOOSE_AN_OPTION",
    "CONTRACT_CLOSED",
    "CONTRACT_NOT_OURS",
    "DATE_IN_THE_PAST",
    "FUND_OPERATIONS",
    "FUND_OPERATION_WRONG_CONTRACT",
    "IBAN_CHECKSUM_ERROR",
    "IBAN_COUNTRY_ERROR",
    "IBAN_SHAPE_ERROR",
    "MAX_FILES",
    "SUBJECT_MAX_LENGTH",
    "SUBJECT_REQUIRED",
    "TEXT_MAX_LENGTH",
    "TEXT_TOO_LONG",
    "FundOperation",
    "bic_checked",
    "buyout_contract_refusal",
    "buyout_date_refusal",
    "company_request_refusal",
    "contract_refusal",
    "duplicate_fee",
    "euros",
    "fund_operation_contract_refusal",
    "fund_operation_details",
    "fund_operation_refusals",
    "holder_checked",
    "iban_checked",
    "member_file_purposes",
    "member_files_refusal",
    "money",
    "new_iban_refusal",
    "short_date",
    "subject_refusal",
    "text_refusal",
    "too_many_files_refusal",
]
