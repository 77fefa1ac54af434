"""The life of an invitation: created, signed with an SMS code, emailed, accepted."""

from invitations.services.accepting import (
    invitation_accept,
    invitation_accept_new_account,
    invitation_acceptance_begin,
    invitation_acceptance_resend,
    invitation_for_token,
)
from invitations.services.batch_file import (
    BATCH_FILE_MAX_INVITEES,
    template_csv,
    template_headers,
)
from invitations.services.batch_signing import (
    batch_signature_payload,
    batch_signature_statement,
    invitation_batch_request_code,
    invitation_batch_sign,
)
from invitations.services.batches import (
    Invitee,
    invitation_batch_create,
    invitation_batch_from_file,
)
from invitations.services.creating import invitation_create, invitation_edit_rights
from invitations.services.emails import (
    acceptance_url,
    hash_token,
    invitation_email_failed,
    invitation_email_queue,
    invitation_email_sent,
    inviter_notice_queue,
    signed_rights,
)
from invitations.services.exceptions import (
    AccountExists,
    InvitationBatchFileRefused,
    InvitationBatchRefused,
    InvitationLinkInvalid,
    InvitationRefused,
    WrongAccount,
)
from invitations.services.reminders import (
    invitation_expiry_notices_send,
    invitation_expiry_notify,
    invitation_remind,
    invitation_reminders_send,
    invitations_expire,
)
from invitations.services.sending import invitation_resend, invitation_revoke
from invitations.services.signing import (
    invitation_request_code,
    invitation_sign,
    signature_payload,
    signature_statement,
)

__all__ = [
    "BATCH_FILE_MAX_INVITEES",
    "AccountExists",
    "InvitationBatchFileRefused",
    "InvitationBatchRefused",
    "InvitationLinkInvalid",
    "InvitationRefused",
    "Invitee",
    "WrongAccount",
    "acceptance_url",
    "batch_signature_payload",
    "batch_signature_statement",
    "hash_token",
    "invitation_accept",
    "invitation_accept_new_account",
    "invitation_acceptance_begin",
    "invitation_acceptance_resend",
    "invitation_batch_create",
    "invitation_batch_from_file",
    "invitation_batch_request_code",
    "invitation_batch_sign",
    "invitation_create",
    "invitation_edit_rights",
    "invitation_email_failed",
    "invitation_email_queue",
    "invitation_email_sent",
    "invitation_expiry_notices_send",
    "invitation_expiry_notify",
    "invitation_for_token",
    "invitation_remind",
    "invitation_reminders_send",
    "invitation_request_code",
    "invitation_resend",
    "invitation_revoke",
    "invitation_sign",
    "invitations_expire",
    "inviter_notice_queue",
    "signature_payload",
    "signature_statement",
    "signed_rights",
    "template_csv",
    "template_headers",
]
