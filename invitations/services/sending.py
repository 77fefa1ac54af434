"""Resending an invitation with a new link, revoking it."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.reasons import reason_clean, reason_refusal
from audit.services import audit_record
from companies.models import Company
from core import outbox
from invitations.models import Invitation, InvitationStatus
from invitations.services.closing import close_signed_authorisation
from invitations.services.creating import count_resend_against_limits, email_refusal
from invitations.services.emails import invitation_email_queue
from invitations.services.exceptions import InvitationRefused
from otp.models import ClosingReason


def _support_reason(reason: str | None) -> dict[str, str]:
    if reason is None:
        return {}
    if refusal := reason_refusal(reason):
        raise InvitationRefused(refusal, field="reason")
    return {"reason": reason_clean(reason)}


@transaction.atomic
def invitation_resend(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
    reason: str | None = None,
) -> Invitation:
    """A new email with a new link; the old link dies. The signed rights stay as they were.
    Support gives its `reason` (checked, kept in the audit); the company's administrator none.

    Each resend is an email: it counts against the company's daily ceiling, and is limited per
    invitation, so "Renvoyer" is no way around the ceiling.
    """
    data = _support_reason(reason)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "invited_by", "authorisation")
        .get(pk=invitation_id, company=company)
    )
    if not invitation.can_be_resent:
        raise InvitationRefused(_("Seule une invitation envoyée ou en échec peut être renvoyée."))
    if invitation.status == InvitationStatus.EXPIRED and (
        refusal := email_refusal(invitation.company, invitation.email, now)
    ):
        # invited again meanwhile, or already a member: this one stays expired
        raise InvitationRefused(refusal)
    count_resend_against_limits(invitation=invitation, now=now)
    outbox.messages_cancel(about=invitation, now=now)
    invitation.status = InvitationStatus.SIGNED
    invitation.failed_at = None
    # the new link has its own reminder, and its own notice if it expires too
    invitation.reminded_at = None
    invitation.expiry_notified_at = None
    invitation.save(update_fields=["status", "failed_at", "reminded_at", "expiry_notified_at"])
    invitation_email_queue(invitation, now=now)
    audit_record(
        action=Action.RESENT,
        actor=actor,
        company=company,
        target=invitation,
        ip_address=ip_address,
        data=data,
    )
    return invitation


@transaction.atomic
def invitation_revoke(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
    reason: str | None = None,
) -> Invitation:
    data = _support_reason(reason)
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
    if not invitation.can_be_revoked:
        raise InvitationRefused(_("Cette invitation n’est plus en cours."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = now
    invitation.save(update_fields=["status", "revoked_at"])
    # an email not sent yet would carry a link that no longer opens anything
    outbox.messages_cancel(about=invitation, now=now)
    close_signed_authorisation(invitation, reason=ClosingReason.INVITATION_REVOKED, now=now)
    audit_record(
        action=Action.REVOKED,
        actor=actor,
        company=company,
        target=invitation,
        ip_address=ip_address,
        data=data,
    )
    return invitation
