"""Emailing a signed invitation once, resending it, revoking it, sweeping the stalled."""

import datetime
import secrets
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company
from core.text import french_elide
from invitations.models import Invitation, InvitationStatus
from invitations.services.accepting import hash_token
from invitations.services.closing import close_signed_authorisation
from invitations.services.exceptions import InvitationRefused
from otp.models import ClosingReason
from permissions.catalogue import RightSpec, specs_for
from portal.mail import send_templated_email


def signed_rights(invitation: Invitation) -> list[RightSpec]:
    """The rights as signed (the authorisation), not as the editable invitation row says."""
    authorisation = invitation.authorisation
    rights = authorisation.rights if authorisation is not None else invitation.rights
    return specs_for(rights)


def acceptance_url(token: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("invitations:accept", args=[token])


def _send_invitation_email(invitation: Invitation, token: str) -> None:
    send_templated_email(
        to=invitation.email,
        subject=_("%(inviter)s vous invite à rejoindre l’espace %(of_company)s chez %(bank)s")
        % {
            "inviter": invitation.invited_by.get_full_name(),
            "of_company": french_elide("de", invitation.company.name),
            "bank": settings.BANK_NAME,
        },
        template="invitations/email/invitation",
        context={
            "invitation": invitation,
            "company": invitation.company,
            "inviter": invitation.invited_by,
            "rights": signed_rights(invitation),
            "url": acceptance_url(token),
            "expires_at": invitation.expires_at,
        },
    )


def invitation_dispatch(
    *, invitation_id: int, now: datetime.datetime, chain: int | None = None
) -> bool:
    """Email a signed invitation with a fresh single-use link. Run twice, it sends one email.

    `chain`: the dispatch chain the task belongs to; a chain the sweep replaced sends nothing.
    """
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
        if chain is not None and chain != invitation.dispatch_chain:
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
        _send_invitation_email(invitation, token)
        audit_record(action=Action.EMAILED, company=invitation.company, target=invitation)
    return True


def invitation_dispatch_retry_planned(
    *, invitation_id: int, chain: int | None, due_at: datetime.datetime
) -> bool:
    """Record when the live chain tries again, so the sweep does not take it for lost.

    False when the invitation left `signed` or another chain replaced this one: do not retry.
    """
    live = Invitation.objects.filter(pk=invitation_id, status=InvitationStatus.SIGNED)
    if chain is not None:
        live = live.filter(dispatch_chain=chain)
    return live.update(dispatch_due_at=due_at) == 1


@transaction.atomic
def invitation_mark_failed(
    *,
    invitation_id: int,
    now: datetime.datetime,
    chain: int | None = None,
    reason: str = "mail_refused",
) -> Invitation | None:
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None or invitation.status != InvitationStatus.SIGNED:
        return None
    if chain is not None and chain != invitation.dispatch_chain:
        return None
    _fail(invitation, now=now, reason=reason)
    return invitation


def _fail(invitation: Invitation, *, now: datetime.datetime, reason: str) -> None:
    invitation.status = InvitationStatus.FAILED
    invitation.failed_at = now
    invitation.dispatch_due_at = None
    invitation.save(update_fields=["status", "failed_at", "dispatch_due_at"])
    audit_record(
        action=Action.EMAIL_FAILED,
        company=invitation.company,
        target=invitation,
        data={"reason": reason},
    )


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
        _start_new_chain(invitation, now=now)
        invitation.save(
            update_fields=[
                "status",
                "token_hash",
                "failed_at",
                "dispatch_due_at",
                "dispatch_chain",
                "dispatch_sweeps",
            ]
        )
        audit_record(
            action=Action.RESENT,
            actor=actor,
            company=company,
            target=invitation,
            ip_address=ip_address,
        )
        transaction.on_commit(
            partial(queue_dispatch, invitation_id=invitation.pk, chain=invitation.dispatch_chain)
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
) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
    if not invitation.can_be_revoked:
        raise InvitationRefused(_("Cette invitation n’est plus en cours."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = now
    invitation.save(update_fields=["status", "revoked_at"])
    close_signed_authorisation(invitation, reason=ClosingReason.INVITATION_REVOKED, now=now)
    audit_record(
        action=Action.REVOKED,
        actor=actor,
        company=company,
        target=invitation,
        ip_address=ip_address,
    )
    return invitation


def notify_inviter_of_acceptance(*, invitation_id: int, now: datetime.datetime) -> bool:
    """Tell the administrator who invited that the person joined. Run twice, it sends one email."""
    with transaction.atomic():
        # lock: the conditional update holds the row, a second run waits and then finds it done
        marked = Invitation.objects.filter(
            pk=invitation_id, status=InvitationStatus.ACCEPTED, inviter_notified_at__isnull=True
        ).update(inviter_notified_at=now)
        if not marked:
            return False
        invitation = Invitation.objects.select_related(
            "company", "invited_by", "accepted_by", "authorisation"
        ).get(pk=invitation_id)
        # an exception here rolls the marker back, so a retry sends again
        send_templated_email(
            to=invitation.invited_by.email,
            subject=_("%(name)s a rejoint %(company)s")
            % {"name": invitation.full_name, "company": invitation.company.name},
            template="invitations/email/accepted",
            context={
                "invitation": invitation,
                "company": invitation.company,
                "rights": signed_rights(invitation),
                "team_url": settings.PORTAL_BASE_URL.rstrip("/")
                + reverse("teams:team", args=[invitation.company_id]),
            },
        )
    return True


def _start_new_chain(invitation: Invitation, *, now: datetime.datetime) -> None:
    """A new dispatch chain, due now: the tasks of any earlier one will send nothing."""
    invitation.dispatch_chain += 1
    invitation.dispatch_due_at = now
    invitation.dispatch_sweeps = 0


def _stalled(now: datetime.datetime) -> QuerySet[Invitation]:
    cutoff = now - datetime.timedelta(seconds=settings.INVITATION_DISPATCH_STALL_SECONDS)
    return (
        Invitation.objects.alias(due_at=Coalesce("dispatch_due_at", "signed_at"))
        .filter(status=InvitationStatus.SIGNED, due_at__lte=cutoff)
        .order_by("due_at", "pk")
    )


def invitations_stalled(*, now: datetime.datetime) -> list[int]:
    """Signed invitations whose dispatch is late past its planned try: lost, or failing silently."""
    return list(_stalled(now).values_list("pk", flat=True))


def invitations_requeue_stalled(*, now: datetime.datetime) -> list[int]:
    """Start one new dispatch chain for each stalled invitation; fail those swept too often.

    The rows are claimed under lock, skipping those a worker is dispatching right now, so two
    sweeps never start two chains for one invitation.
    """
    from invitations.tasks import queue_dispatch

    requeued: list[int] = []
    with transaction.atomic():
        claimed = _stalled(now).select_for_update(of=("self",), skip_locked=True)
        for invitation in claimed.select_related("company"):
            if invitation.dispatch_sweeps >= settings.INVITATION_DISPATCH_MAX_SWEEPS:
                _fail(invitation, now=now, reason="never_sent")
                continue
            sweeps = invitation.dispatch_sweeps + 1
            _start_new_chain(invitation, now=now)
            invitation.dispatch_sweeps = sweeps
            invitation.save(update_fields=["dispatch_due_at", "dispatch_chain", "dispatch_sweeps"])
            transaction.on_commit(
                partial(
                    queue_dispatch, invitation_id=invitation.pk, chain=invitation.dispatch_chain
                )
            )
            requeued.append(invitation.pk)
    return requeued


@transaction.atomic
def invitations_expire(*, now: datetime.datetime) -> int:
    """Mark as expired the links whose 7 days have passed (periodic sweep)."""
    return Invitation.objects.filter(status=InvitationStatus.SENT, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )
