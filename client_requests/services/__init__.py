"""Every write of the request pipeline: filing, completing, submitting, and support's decisions."""

from client_requests.services.common import PROOF_REQUIRED_KINDS, NewFile, RequestRefused
from client_requests.services.filing import (
    bank_details_change_request,
    early_buyout_request,
    request_complete,
    request_create,
    request_submit,
)
from client_requests.services.reviewing import attachment_open, draft_review
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
    "early_buyout_request",
    "request_complete",
    "request_create",
    "request_move",
    "request_submit",
    "status_change_notices_queue",
]
