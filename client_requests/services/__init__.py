"""Every write of the request pipeline: filing, completing, submitting, and support's decisions.

The rules a request must meet live in `client_requests.services.rules`; the services check them
and the forms call the same functions for their messages."""

from client_requests.services.common import PROOF_REQUIRED_KINDS, NewFile, RequestRefused
from client_requests.services.filing import request_complete, request_create, request_submit
from client_requests.services.reviewing import attachment_open, draft_review
from client_requests.services.rules import duplicate_fee
from client_requests.services.sections import (
    bank_details_change_request,
    duplicate_request,
    early_buyout_request,
    fund_operation_request,
)
from client_requests.services.support import (
    bank_attachment_add,
    request_move,
    status_change_notices_queue,
)

__all__ = [
    "PROOF_REQUIRED_KINDS",
    "NewFile",
    "RequestRefused",
    "attachment_open",
    "bank_attachment_add",
    "bank_details_change_request",
    "draft_review",
    "duplicate_fee",
    "duplicate_request",
    "early_buyout_request",
    "fund_operation_request",
    "request_complete",
    "request_create",
    "request_move",
    "request_submit",
    "status_change_notices_queue",
]
