"""Invite a collaborator, sign the access authorisation with an SMS code, accept the emailed link."""

from invitations.views.accepting import accept
from invitations.views.inviting import create, resend, revoke
from invitations.views.signing import send_code, sign

__all__ = ["accept", "create", "resend", "revoke", "send_code", "sign"]
