import smtplib

import pytest
from django.core import mail

from audit.models import Action, AuditEvent
from core.tasks import message_deliver
from invitations import services
from invitations.models import InvitationStatus
from invitations.tasks import invitations_expire
from tests.invitations.factories import signed, token_in
from tests.outbox import pending

pytestmark = pytest.mark.django_db

FAILING = "tests.invitations.test_tasks.FailingEmailBackend"
FLAKY = "tests.invitations.test_tasks.FlakyEmailBackend"


class FailingEmailBackend:
    """A mail server that refuses every message."""

    attempts = 0

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        type(self).attempts += 1
        raise smtplib.SMTPServerDisconnected("connection lost")


class FlakyEmailBackend(FailingEmailBackend):
    """A mail server that refuses the first message, then delivers (to the locmem outbox)."""

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture(autouse=True)
def fresh_backends():
    FailingEmailBackend.attempts = 0
    FlakyEmailBackend.attempts = 0


def run_dispatch(invitation, message_id=None):
    """The delivery task of the invitation's email, in this process (its retries at once)."""
    if message_id is None:
        [message] = pending(about_id=str(invitation.pk))
        message_id = message.pk
    return message_deliver.apply(kwargs={"message_id": message_id})


def test_the_task_emails_a_signed_invitation(admin):
    invitation = signed(admin)

    result = run_dispatch(invitation)

    assert result.get() is True
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert [m.to for m in mail.outbox] == [[invitation.email]]


def test_the_task_run_twice_sends_one_email(admin):
    invitation = signed(admin)
    [message] = pending()

    run_dispatch(invitation, message.pk)
    second = run_dispatch(invitation, message.pk)

    assert second.get() is False
    assert len(mail.outbox) == 1


def test_the_task_retries_when_the_mail_server_fails(admin, settings):
    settings.EMAIL_BACKEND = FLAKY
    invitation = signed(admin)

    result = run_dispatch(invitation)

    assert result.get() is True
    assert FlakyEmailBackend.attempts == 2
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert len(mail.outbox) == 1


def test_the_link_of_a_retried_email_is_the_one_stored(admin, settings):
    settings.EMAIL_BACKEND = FLAKY
    invitation = signed(admin)

    run_dispatch(invitation)

    invitation.refresh_from_db()
    assert invitation.token_hash == services.hash_token(token_in(mail.outbox[0]))


def test_after_the_last_attempt_the_invitation_is_failed_and_its_link_opens_nothing(
    admin, settings
):
    settings.EMAIL_BACKEND = FAILING
    invitation = signed(admin)

    result = run_dispatch(invitation)

    assert result.get() is False
    assert FailingEmailBackend.attempts == settings.MESSAGE_MAX_ATTEMPTS
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.failed_at is not None
    assert mail.outbox == []


def test_a_failed_dispatch_is_audited(admin, settings):
    settings.EMAIL_BACKEND = FAILING
    invitation = signed(admin)

    run_dispatch(invitation)

    assert AuditEvent.objects.filter(
        target_id=str(invitation.pk), action=Action.EMAIL_FAILED, company=admin.company
    ).exists()


def test_the_expiry_sweep_runs_as_a_task():
    assert invitations_expire.apply().get() == 0
