"""The invitation's emails, written in the outbox, and what their delivery does to the invitation.

The link's token is never stored: it is derived from the outbox row (core.outbox.link_token) and
only its SHA-256 is kept on the invitation, in the transaction that writes the row. A redelivery of
that row sends the same working link; a resend writes another row, whose link replaces the old one.
"""

import datetime
import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Membership, Role
from core import outbox
from core.bulk import rows_update
from core.models import Message
from core.text import french_elide
from invitations.models import Invitation, InvitationStatus
from permissions.end_dates import DatedSpec, dated_specs

INVITATION_EMAIL = "invitations/email/invitation"
ACCEPTED_EMAIL = "invitations/email/accepted"
REMINDER_EMAIL = "invitations/email/reminder"
EXPIRED_EMAIL = "invitations/email/expired"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_rights(invitation: Invitation) -> list[DatedSpec]:
    """The rights and end dates as signed (the authorisation), not as the editable invitation
    row says."""
    authorisation = invitation.authorisation
    if authorisation is not None:
        return dated_specs(authorisation.rights, authorisation.ends_on)
    return dated_specs(invitation.rights, invitation.ends_on)


def acceptance_url(token: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("invitations:accept", args=[token])


def _expiry(sent_at: datetime.datetime) -> datetime.datetime:
    return sent_at + datetime.timedelta(days=settings.INVITATION_LIFETIME_DAYS)


def _subject(invitation: Invitation) -> str:
    return _("%(inviter)s vous invite à rejoindre l’espace %(of_company)s chez %(bank)s") % {
        "inviter": invitation.invited_by.get_full_name(),
        "of_company": french_elide("de", invitation.company.name),
        "bank": settings.BANK_NAME,
    }


def _link_email(
    invitation: Invitation,
    *,
    key: str,
    template: str,
    subject: str,
    expires_at: datetime.datetime,
) -> outbox.Email:
    return outbox.Email(
        key=key,
        to=invitation.email,
        subject=subject,
        template=template,
        context={
            "invitation": invitation,
            "company": invitation.company,
            "inviter": invitation.invited_by,
            "rights": signed_rights(invitation),
            "url": acceptance_url(outbox.LINK_TOKEN),
            "expires_at": expires_at,
        },
        about=invitation,
        company_id=invitation.company_id,
    )


def _link_set(invitation: Invitation, message: Message, *, now: datetime.datetime) -> None:
    """The invitation's live link is now the one `message` carries (the row is saved by the
    caller); the link it replaces stops working, and its page then says a newer one was sent."""
    token_hash = hash_token(outbox.link_token(message))
    if invitation.token_hash and invitation.token_hash != token_hash:
        invitation.replaced_token_hash = invitation.token_hash
        invitation.link_replaced_at = now
    invitation.token_hash = token_hash


LINK_FIELDS = ["token_hash", "replaced_token_hash", "link_replaced_at"]


def _link_email_queue(
    invitation: Invitation,
    *,
    key: str,
    template: str,
    subject: str,
    expires_at: datetime.datetime,
    now: datetime.datetime,
) -> Message:
    """Write an email carrying a new link (the caller holds the invitation's row)."""
    email = _link_email(
        invitation, key=key, template=template, subject=subject, expires_at=expires_at
    )
    message = outbox.email_queue(
        key=email.key,
        to=email.to,
        subject=email.subject,
        template=email.template,
        context=email.context,
        about=email.about,
        company_id=email.company_id,
        now=now,
    )
    _link_set(invitation, message, now=now)
    invitation.save(update_fields=LINK_FIELDS)
    return message


def _invitation_email_key(invitation: Invitation, number: int) -> str:
    return f"invitations.invitation:{invitation.pk}:email:{number}"


def invitation_email_queue(invitation: Invitation, *, now: datetime.datetime) -> Message:
    """Write the invitation's email with a new link, in the caller's transaction (row locked)."""
    number = outbox.messages_about_count(about=invitation, template=INVITATION_EMAIL) + 1
    return _link_email_queue(
        invitation,
        key=_invitation_email_key(invitation, number),
        template=INVITATION_EMAIL,
        subject=_subject(invitation),
        # the link's 7 days start when it leaves (see invitation_email_sent): a little later
        expires_at=_expiry(now),
        now=now,
    )


def invitation_emails_queue(
    invitations: Sequence[Invitation], *, now: datetime.datetime
) -> list[Message]:
    """`invitation_email_queue` for every invitation of a signed batch (rows locked): three
    queries whatever their number."""
    counts = outbox.messages_about_counts(about=invitations, template=INVITATION_EMAIL)
    messages = outbox.emails_queue(
        [
            _link_email(
                invitation,
                key=_invitation_email_key(invitation, counts[str(invitation.pk)] + 1),
                template=INVITATION_EMAIL,
                subject=_subject(invitation),
                expires_at=_expiry(now),
            )
            for invitation in invitations
        ],
        now=now,
    )
    for invitation, message in zip(invitations, messages, strict=True):
        _link_set(invitation, message, now=now)
    rows_update(invitations, LINK_FIELDS)
    return messages


def reminder_email_queue(invitation: Invitation, *, now: datetime.datetime) -> Message:
    """The one reminder before the link expires: a new link, valid until the same date."""
    assert invitation.expires_at is not None
    return _link_email_queue(
        invitation,
        # one per link's life: a resend starts another
        key=f"invitations.invitation:{invitation.pk}:reminder:{invitation.expires_at:%Y%m%dT%H%M%S}",
        template=REMINDER_EMAIL,
        subject=_("Rappel : %(subject)s") % {"subject": _subject(invitation)},
        expires_at=invitation.expires_at,
        now=now,
    )


def team_url(company_id: int) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("teams:team", args=[company_id])


def expiry_notice_queue(invitation: Invitation, *, now: datetime.datetime) -> Message:
    """Tell the administrator who invited that the link expired unaccepted, once."""
    return outbox.email_queue(
        key=f"invitations.invitation:{invitation.pk}:expired:{invitation.expires_at:%Y%m%dT%H%M%S}",
        to=invitation.invited_by.email,
        subject=_("L’invitation de %(name)s a expiré") % {"name": invitation.full_name},
        template=EXPIRED_EMAIL,
        context={
            "invitation": invitation,
            "company": invitation.company,
            "rights": signed_rights(invitation),
            "expired_at": invitation.expires_at,
            "team_url": team_url(invitation.company_id),
        },
        about=invitation,
        company_id=invitation.company_id,
        now=now,
    )


def _emailed_by(message: Message, statuses: list[InvitationStatus]) -> Invitation | None:
    """The invitation whose live link this message carries, locked; None for an older link."""
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company")
        .filter(
            pk=int(message.about_id),
            token_hash=hash_token(outbox.link_token(message)),
            status__in=statuses,
        )
        .first()
    )


@transaction.atomic
def invitation_email_sent(*, message: Message, now: datetime.datetime) -> Invitation | None:
    """Its email left: `signed` (or `failed`, resent by support) → `sent`, for 7 days."""
    invitation = _emailed_by(message, [InvitationStatus.SIGNED, InvitationStatus.FAILED])
    if invitation is None:
        return None
    invitation.status = InvitationStatus.SENT
    invitation.sent_at = now
    invitation.expires_at = _expiry(now)
    invitation.failed_at = None
    invitation.save(update_fields=["status", "sent_at", "expires_at", "failed_at"])
    audit_record(action=Action.EMAILED, company=invitation.company, target=invitation)
    return invitation


@transaction.atomic
def invitation_email_failed(*, message: Message, now: datetime.datetime) -> Invitation | None:
    """Its email failed for good: `signed` → `failed`, and the administrator can resend."""
    invitation = _emailed_by(message, [InvitationStatus.SIGNED])
    if invitation is None:
        return None
    invitation.status = InvitationStatus.FAILED
    invitation.failed_at = now
    invitation.save(update_fields=["status", "failed_at"])
    audit_record(
        action=Action.EMAIL_FAILED,
        company=invitation.company,
        target=invitation,
        data={"reason": "mail_refused"},
    )
    return invitation


def inviter_notice_queue(invitation: Invitation, *, now: datetime.datetime) -> Message:
    """Tell the administrator who invited that the person joined (in the acceptance's transaction)."""
    return outbox.email_queue(
        key=f"invitations.invitation:{invitation.pk}:accepted",
        to=invitation.invited_by.email,
        subject=_("%(name)s a rejoint %(company)s")
        % {"name": invitation.full_name, "company": invitation.company.name},
        template=ACCEPTED_EMAIL,
        context={
            "invitation": invitation,
            "company": invitation.company,
            "rights": signed_rights(invitation),
            "team_url": team_url(invitation.company_id),
        },
        about=invitation,
        company_id=invitation.company_id,
        now=now,
    )


def money_rights_alert_queue(
    invitation: Invitation, *, member: User, now: datetime.datetime
) -> None:
    """Every active administrator is told the person who joined holds a right that moves money
    or bank details (in the acceptance's transaction; one email each, whatever the path: one
    invitation or a batch)."""
    granted = [spec for spec in signed_rights(invitation) if spec.moves_money]
    if not granted:
        return
    company = invitation.company
    admins = (
        Membership.objects.active()
        .filter(company=company, role=Role.ADMIN)
        .select_related("user")
        .order_by("pk")
    )
    signer = invitation.authorisation.signer if invitation.authorisation else invitation.invited_by
    for admin in admins:
        outbox.email_queue(
            key=f"invitations.invitation:{invitation.pk}:money_rights:{admin.user_id}",
            to=admin.user.email,
            subject=_("%(company)s : un droit sensible a été accordé") % {"company": company.name},
            template="teams/email/money_rights_granted",
            context={
                "admin": admin.user,
                "member": member,
                "signer": signer,
                "company": company,
                "granted": granted,
                "by_support": False,
                "url": settings.PORTAL_BASE_URL.rstrip("/")
                + reverse("teams:team", args=[company.pk]),
            },
            about=invitation,
            company_id=company.pk,
            now=now,
        )
