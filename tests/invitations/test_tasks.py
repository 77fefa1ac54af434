import smtplib

import pytest
from django.core import mail

from audit.models import Action, AuditEvent
from invitations.models import InvitationStatus
from invitations.tasks import (
    dispatch_invitation,
    expire_invitations,
    queue_dispatch,
)
from tests.invitations.factories import signed, token_in

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


def run_dispatch(invitation):
    return dispatch_invitation.apply(kwargs={"invitation_id": invitation.pk})


def test_the_task_emails_a_signed_invitation(admin):
    invitation = signed(admin)

    result = run_dispatch(invitation)

    assert result.get() is True
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert [m.to for m in mail.outbox] == [[invitation.email]]


def test_the_task_run_twice_sends_one_email(admin):
    invitation = signed(admin)

    run_dispatch(invitation)
    second = run_dispatch(invitation)

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
    assert invitation.token_hash is not None
    assert len(mail.outbox) == 1


def test_the_link_of_a_retried_email_is_the_one_stored(admin, settings):
    from invitations.services import hash_token

    settings.EMAIL_BACKEND = FLAKY
    invitation = signed(admin)

    run_dispatch(invitation)

    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token_in(mail.outbox[0]))


def test_after_the_last_retry_the_invitation_is_failed(admin, settings):
    settings.EMAIL_BACKEND = FAILING
    invitation = signed(admin)

    result = run_dispatch(invitation)

    assert result.get() is False
    assert FailingEmailBackend.attempts == settings.INVITATION_MAIL_MAX_RETRIES + 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.failed_at is not None
    assert invitation.token_hash is None


def test_a_failed_dispatch_is_audited(admin, settings):
    settings.EMAIL_BACKEND = FAILING
    invitation = signed(admin)

    run_dispatch(invitation)

    assert AuditEvent.objects.filter(
        target_id=str(invitation.pk), action=Action.EMAIL_FAILED, company=admin.company
    ).exists()


def test_queueing_a_dispatch_with_the_broker_down_does_not_fail(monkeypatch, caplog):
    def broker_down(**kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(dispatch_invitation, "delay", broker_down)

    queue_dispatch(invitation_id=42)

    assert "42" in caplog.text


def test_the_expiry_sweep_runs_as_a_task():
    assert expire_invitations.apply().get() == 0
