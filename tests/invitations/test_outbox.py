"""The invitation's email through the outbox: a row written with the signature, a link derived from
the row and never stored, and an invitation that follows its email (sent, failed, resent)."""

import datetime
import smtplib

import pytest
from django.core import mail

from audit.models import Action, AuditEvent
from core import outbox
from core.models import Message, MessageStatus
from invitations import services
from invitations.models import Invitation, InvitationStatus
from invitations.services.emails import INVITATION_EMAIL
from tests.factories import UserFactory
from tests.invitations.factories import IP, dispatch, sent, signed, token_in
from tests.otp.factories import NOW, rows_containing
from tests.outbox import deliver, emails_to

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
LEA = "lea.martin@partenaire.example"


class FailingEmailBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


def invitation_email(invitation: Invitation) -> Message:
    [message] = Message.objects.filter(
        template=INVITATION_EMAIL, about_id=str(invitation.pk), status=MessageStatus.PENDING
    )
    return message


def fail_for_good(message: Message, settings) -> None:
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox.FailingEmailBackend"
    for attempt in range(settings.MESSAGE_MAX_ATTEMPTS):
        outbox.message_deliver(message_id=message.pk, now=NOW + attempt * MINUTE)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def resend(admin, invitation, now=NOW):
    return services.invitation_resend(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=now
    )


def test_the_signed_invitation_waits_in_the_outbox_with_the_hash_of_its_link(admin):
    invitation = signed(admin)

    message = invitation_email(invitation)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED
    assert invitation.token_hash == services.hash_token(outbox.link_token(message))
    assert (message.to, message.company_id) == (LEA, admin.company.pk)


def test_the_outbox_row_holds_no_secret(admin):
    invitation = signed(admin)
    message = invitation_email(invitation)

    token = dispatch(invitation)

    assert outbox.LINK_TOKEN in message.text
    assert token not in message.text + message.html + message.subject
    assert rows_containing(token) == []


def test_a_redelivered_row_sends_the_same_working_link(admin):
    invitation = signed(admin)
    message = invitation_email(invitation)
    first = dispatch(invitation)
    # the worker died after the mail server took it, before the row said so: delivered again
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.PENDING)

    assert deliver(now=NOW + MINUTE) == 1

    assert token_in(mail.outbox[-1]) == first
    assert services.invitation_for_token(first, now=NOW + MINUTE) == invitation


def test_a_resend_gives_a_new_link_and_kills_the_old_one(admin):
    invitation, old = sent(admin)

    resend(admin, invitation)
    new = dispatch(invitation)

    assert new != old
    with pytest.raises(services.InvitationLinkInvalid):
        services.invitation_for_token(old, now=NOW)
    assert services.invitation_for_token(new, now=NOW) == invitation
    assert [m.status for m in emails_to(LEA)] == [MessageStatus.SENT, MessageStatus.SENT]


def test_an_old_row_delivered_after_a_resend_does_not_revive_its_link(admin, settings):
    invitation = signed(admin)
    old = invitation_email(invitation)
    fail_for_good(old, settings)
    resend(admin, invitation)
    # support sends the old failed email again, after the administrator's resend
    outbox.message_resend(message_id=old.pk, now=NOW + MINUTE)
    deliver(now=NOW + MINUTE, pk=old.pk)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED
    with pytest.raises(services.InvitationLinkInvalid):
        services.invitation_for_token(token_in(mail.outbox[-1]), now=NOW + MINUTE)


def test_the_email_sent_marks_the_invitation_sent_and_is_audited(admin):
    invitation, _token = sent(admin)

    assert (invitation.status, invitation.sent_at) == (InvitationStatus.SENT, NOW)
    [event] = AuditEvent.objects.filter(action=Action.EMAILED, target_id=str(invitation.pk))
    assert (event.company, event.actor) == (admin.company, None)


def test_an_email_failed_for_good_fails_the_invitation_and_is_audited(admin, settings):
    invitation = signed(admin)

    fail_for_good(invitation_email(invitation), settings)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.failed_at is not None
    [event] = AuditEvent.objects.filter(
        action=Action.EMAIL_FAILED, company=admin.company, target_id=str(invitation.pk)
    )
    assert event.data == {"reason": "mail_refused"}


def test_a_failed_invitation_resent_by_the_administrator_is_emailed(admin, settings):
    invitation = signed(admin)
    fail_for_good(invitation_email(invitation), settings)

    resent = resend(admin, invitation, now=NOW + 20 * MINUTE)
    token = dispatch(invitation, now=NOW + 20 * MINUTE)

    assert resent.status == InvitationStatus.SIGNED
    assert services.invitation_for_token(token, now=NOW + 20 * MINUTE) == invitation


def test_a_failed_email_resent_by_support_revives_the_invitation_with_the_same_link(
    admin, settings
):
    invitation = signed(admin)
    message = invitation_email(invitation)
    fail_for_good(message, settings)

    outbox.message_resend(message_id=message.pk, now=NOW + MINUTE)
    token = dispatch(invitation, now=NOW + MINUTE)

    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.SENT
    assert services.hash_token(token) == Invitation.objects.get(pk=invitation.pk).token_hash


def test_an_email_not_sent_yet_is_cancelled_when_the_invitation_is_revoked(admin):
    invitation = signed(admin)
    message = invitation_email(invitation)

    services.invitation_revoke(
        invitation_id=invitation.pk, company=admin.company, actor=admin.user, ip_address=IP, now=NOW
    )

    assert deliver(now=NOW) == 0
    assert Message.objects.get(pk=message.pk).status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_an_email_not_sent_yet_is_cancelled_when_the_rights_are_edited(admin):
    invitation = signed(admin, rights=("documents",))
    message = invitation_email(invitation)

    services.invitation_edit_rights(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        rights=["documents", "treasury"],
        ip_address=IP,
        now=NOW,
    )

    assert Message.objects.get(pk=message.pk).status == MessageStatus.CANCELLED
    assert deliver(now=NOW) == 0


# The email to the inviter


def test_the_inviter_is_emailed_once_even_if_delivered_twice(admin):
    _invitation, token = sent(admin)
    lea = UserFactory.create(email=LEA)
    services.invitation_accept(token=token, user=lea, ip_address=None, now=NOW)
    mail.outbox.clear()
    [notice] = emails_to(admin.user.email)

    first = outbox.message_deliver(message_id=notice.pk, now=NOW)
    second = outbox.message_deliver(message_id=notice.pk, now=NOW)

    assert (first.sent, second.sent) == (True, False)
    [message] = mail.outbox
    assert message.to == [admin.user.email]
