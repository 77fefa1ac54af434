"""Emailing a signed invitation once, resending it, revoking it, sweeping the stalled."""

import datetime
import secrets
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from invitations.models import Invitation, InvitationStatus
from invitations.services.accepting import hash_token
from invitations.services.exceptions import InvitationRefused
from permissions.catalogue import RightSpec, specs_for
from portal.models import User
from teams.models import Company


def signed_rights(invitation: Invitation) -> list[RightSpec]:
    """The rights as signed (the authorisation), not as the editable invitation row says."""
    authorisation = invitation.authorisation
    rights = authorisation.rights if authorisation is not None else invitation.rights
    return specs_for(rights)


def acceptance_url(token: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("invitations:accept", args=[token])


def _invitation_email(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "inviter": invitation.invited_by,
        "rights": signed_rights(invitation),
        "url": acceptance_url(token),
        "expires_at": invitation.expires_at,
    }
    subject = _("%(inviter)s vous invite à rejoindre %(company)s sur Mes équipes") % {
        "inviter": invitation.invited_by.get_full_name(),
        "company": invitation.company.name,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("invitations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("invitations/email/invitation.html", context), "text/html"
    )
    return message


def invitation_dispatch(*, invitation_id: int, now: datetime.datetime) -> bool:
    """Email a signed invitation with a fresh single-use link. Run twice, it sends one email."""
    with transaction.atomic():
        # lock: two workers running the same dispatch must send one email
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("company", "invited_by", "authorisation")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.status != InvitationStatus.SIGNED:
            return False
        token = secrets.token_urlsafe(32)
        invitation.token_hash = hash_token(token)
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = now
        invitation.expires_at = now + datetime.timedelta(days=settings.INVITATION_LIFETIME_DAYS)
        invitation.send_attempts += 1
        invitation.save(
            update_fields=["token_hash", "status", "sent_at", "expires_at", "send_attempts"]
        )
        # an exception here rolls the row back to "signed", so a retry sends again
        _invitation_email(invitation, token).send()
        audit_record(action=Action.EMAILED, company=invitation.company, target=invitation)
    return True


@transaction.atomic
def invitation_mark_failed(*, invitation_id: int, now: datetime.datetime) -> Invitation | None:
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None or invitation.status != InvitationStatus.SIGNED:
        return None
    invitation.status = InvitationStatus.FAILED
    invitation.failed_at = now
    invitation.save(update_fields=["status", "failed_at"])
    audit_record(action=Action.EMAIL_FAILED, company=invitation.company, target=invitation)
    return invitation


def invitation_resend(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    """A new email with a new link; the old link dies. The signed rights stay as they were.

    Each resend is an email: it counts against the company's daily ceiling, and is limited per
    invitation, so "Renvoyer" is no way around the ceiling.
    """
    from invitations.services.creating import count_resend_against_limits
    from invitations.tasks import queue_dispatch

    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
        if not invitation.can_be_resent:
            raise InvitationRefused(
                _("Seule une invitation envoyée ou en échec peut être renvoyée.")
            )
        count_resend_against_limits(invitation=invitation, now=now)
        invitation.status = InvitationStatus.SIGNED
        invitation.token_hash = None
        invitation.failed_at = None
        invitation.save(update_fields=["status", "token_hash", "failed_at"])
        audit_record(
            action=Action.RESENT,
            actor=actor,
            company=company,
            target=invitation,
            ip_address=ip_address,
        )
        transaction.on_commit(partial(queue_dispatch, invitation_id=invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
    if not invitation.can_be_revoked:
        raise InvitationRefused(_("Cette invitation n’est plus en cours."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = now
    invitation.save(update_fields=["status", "revoked_at"])
    audit_record(
        action=Action.REVOKED,
        actor=actor,
        company=company,
        target=invitation,
        ip_address=ip_address,
    )
    return invitation


def notify_inviter_of_acceptance(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related(
        "company", "invited_by", "accepted_by", "authorisation"
    ).get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "rights": signed_rights(invitation),
        "team_url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("teams:team", args=[invitation.company_id]),
    }
    message = EmailMultiAlternatives(
        subject=_("%(name)s a rejoint %(company)s")
        % {"name": invitation.full_name, "company": invitation.company.name},
        body=render_to_string("invitations/email/accepted.txt", context),
        to=[invitation.invited_by.email],
    )
    message.attach_alternative(
        render_to_string("invitations/email/accepted.html", context), "text/html"
    )
    message.send()


def invitations_stalled(*, now: datetime.datetime) -> list[int]:
    """Signed invitations whose email was not sent: their dispatch was lost or is failing."""
    cutoff = now - datetime.timedelta(seconds=settings.INVITATION_DISPATCH_STALL_SECONDS)
    return list(
        Invitation.objects.filter(status=InvitationStatus.SIGNED, signed_at__lte=cutoff)
        .order_by("signed_at")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def invitations_expire(*, now: datetime.datetime) -> int:
    """Mark as expired the links whose 7 days have passed (periodic sweep)."""
    return Invitation.objects.filter(status=InvitationStatus.SENT, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )
