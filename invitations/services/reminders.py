"""What time does to a link nobody opened: one reminder with a fresh link two days before it
expires, then, once it has expired, one notice to the administrator who invited.

Each happens once per link whatever the number of workers or beat restarts: the invitation's row
is claimed by a conditional update (a second run, even concurrent, claims nothing), and the email's
outbox key is unique.
"""

import datetime

from django.conf import settings
from django.db import transaction

from audit.models import Action
from audit.services import audit_record
from invitations.models import Invitation, InvitationStatus
from invitations.services.emails import expiry_notice_queue, reminder_email_queue

# a link that expired longer ago than this (before notices existed, or the beat was down for
# weeks) is not announced any more: the administrator already sees it in Mes équipes
NOTICE_AFTER_EXPIRY_DAYS = 7


def _reminder_due(now: datetime.datetime) -> datetime.datetime:
    return now + datetime.timedelta(days=settings.INVITATION_REMINDER_DAYS_BEFORE_EXPIRY)


def _claim(invitation_id: int, *, field: str, now: datetime.datetime, **state: object) -> bool:
    """Mark the row as done, if no one did it yet; the row stays locked until commit, so a
    concurrent run waits, then finds it done."""
    return bool(
        Invitation.objects.filter(pk=invitation_id, **{f"{field}__isnull": True}, **state).update(
            **{field: now}
        )
    )


@transaction.atomic
def invitation_remind(*, invitation_id: int, now: datetime.datetime) -> bool:
    """The reminder of one invitation, if it is still due: a new link, the old one replaced."""
    if not _claim(
        invitation_id,
        field="reminded_at",
        now=now,
        status=InvitationStatus.SENT,
        expires_at__gt=now,
        expires_at__lte=_reminder_due(now),
    ):
        return False
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "invited_by", "authorisation")
        .get(pk=invitation_id)
    )
    reminder_email_queue(invitation, now=now)
    audit_record(
        action=Action.EMAILED,
        company=invitation.company,
        target=invitation,
        data={"reminder": True},
    )
    return True


def invitation_reminders_send(*, now: datetime.datetime) -> int:
    """Remind every invitee whose link expires within the next days (periodic); how many."""
    due = Invitation.objects.filter(
        status=InvitationStatus.SENT,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=_reminder_due(now),
    ).values_list("pk", flat=True)
    return sum(invitation_remind(invitation_id=pk, now=now) for pk in list(due))


@transaction.atomic
def invitations_expire(*, now: datetime.datetime) -> int:
    """Mark as expired the links whose 7 days have passed (periodic sweep)."""
    return Invitation.objects.filter(status=InvitationStatus.SENT, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )


@transaction.atomic
def invitation_expiry_notify(*, invitation_id: int, now: datetime.datetime) -> bool:
    """Tell the inviter, once, that this invitation expired unaccepted."""
    if not _claim(
        invitation_id, field="expiry_notified_at", now=now, status=InvitationStatus.EXPIRED
    ):
        return False
    invitation = Invitation.objects.select_related("company", "invited_by", "authorisation").get(
        pk=invitation_id
    )
    expiry_notice_queue(invitation, now=now)
    return True


def invitation_expiry_notices_send(*, now: datetime.datetime) -> int:
    """Expire the links whose time is up, then tell each inviter once (periodic); how many."""
    invitations_expire(now=now)
    expired = Invitation.objects.filter(
        status=InvitationStatus.EXPIRED,
        expiry_notified_at__isnull=True,
        expires_at__gt=now - datetime.timedelta(days=NOTICE_AFTER_EXPIRY_DAYS),
    ).values_list("pk", flat=True)
    return sum(invitation_expiry_notify(invitation_id=pk, now=now) for pk in list(expired))
