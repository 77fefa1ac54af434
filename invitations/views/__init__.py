"""Invite a collaborator, sign the access authorisation with an SMS code, accept the emailed link."""

from invitations.views.accepting import accept
from invitations.views.batches import (
    batch_create,
    batch_file_template,
    batch_send_code,
    batch_sign,
    batch_upload,
)
from invitations.views.inviting import create, edit_rights, resend, revoke
from invitations.views.signing import send_code, sign

__all__ = [
    "accept",
    "batch_create",
    "batch_file_template",
    "batch_send_code",
    "batch_sign",
    "batch_upload",
    "create",
    "edit_rights",
    "resend",
    "revoke",
    "send_code",
    "sign",
]
