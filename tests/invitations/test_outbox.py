"""The outbox of signed invitations: one live dispatch chain each, a sweep that gives up, and
emails that are sent once even when their task runs twice."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from audit.models import Action, AuditEvent
from invitations import services
from invitations.models import Invitation, InvitationStatus
from invitations.tasks import dispatch_invitation, notify_inviter, requeue_stalled_dispatches
from tests.factories import UserFactory
from tests.invitations.factories import sent, signed
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
LEA = "lea.martin@partenaire.example"


class FailingEmailBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


class BrokenTemplateBackend(FailingEmailBackend):
    """Not a mail failure: a bug the task does not retry."""

    def send_messages(self, messages):
        raise RuntimeError("bug")


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(dispatch_invitation, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


def sweep(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.invitations_requeue_stalled(now=now)


def test_the_sweep_starts_a_new_chain_for_a_lost_dispatch(
    admin, queued, django_capture_on_commit_callbacks
):
    invitation = signed(admin)

    assert sweep(NOW + 10 * MINUTE, django_capture_on_commit_callbacks) == [invitation.pk]

    assert queued == [{"invitation_id": invitation.pk, "chain": 1}]
    invitation.refresh_from_db()
    assert (invitation.dispatch_chain, invitation.dispatch_sweeps) == (1, 1)


def test_the_sweep_task_queues_the_stalled_dispatches(
    admin, queued, django_capture_on_commit_callbacks
):
    invitation = signed(admin)

    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_dispatches.apply().get() == 1

    assert queued == [{"invitation_id": invitation.pk, "chain": 1}]


def test_a_dispatch_the_sweep_just_requeued_is_not_requeued_again(
    admin, queued, django_capture_on_commit_callbacks
):
    signed(admin)
    sweep(NOW + 10 * MINUTE, django_capture_on_commit_callbacks)

    assert sweep(NOW + 11 * MINUTE, django_capture_on_commit_callbacks) == []
    assert len(queued) == 1


def test_an_invitation_waiting_for_its_next_retry_is_not_taken_for_lost(
    admin, settings, queued, django_capture_on_commit_callbacks
):
    invitation = signed(admin)
    # the live chain failed and plans its next try in 30 minutes
    assert services.invitation_dispatch_retry_planned(
        invitation_id=invitation.pk, chain=0, due_at=NOW + 30 * MINUTE
    )

    assert sweep(NOW + 20 * MINUTE, django_capture_on_commit_callbacks) == []
    late = (
        NOW + 30 * MINUTE + datetime.timedelta(seconds=settings.INVITATION_DISPATCH_STALL_SECONDS)
    )
    assert sweep(late, django_capture_on_commit_callbacks) == [invitation.pk]


def test_a_failing_dispatch_records_when_it_tries_again(admin, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox.FailingEmailBackend"
    invitation = signed(admin)
    planned = []
    monkeypatch.setattr(
        services,
        "invitation_dispatch_retry_planned",
        lambda **kwargs: planned.append(kwargs) or False,
    )

    dispatch_invitation.apply(kwargs={"invitation_id": invitation.pk, "chain": 0})

    [retry] = planned
    assert retry["chain"] == 0
    assert retry["due_at"] > NOW


def test_a_task_of_a_replaced_chain_sends_nothing(
    admin, queued, django_capture_on_commit_callbacks
):
    invitation = signed(admin)
    sweep(NOW + 10 * MINUTE, django_capture_on_commit_callbacks)

    old = dispatch_invitation.apply(kwargs={"invitation_id": invitation.pk, "chain": 0})
    new = dispatch_invitation.apply(kwargs={"invitation_id": invitation.pk, "chain": 1})

    assert (old.get(), new.get()) == (False, True)
    assert len(mail.outbox) == 1


def test_a_replaced_chain_neither_retries_nor_fails_the_invitation(
    admin, settings, queued, django_capture_on_commit_callbacks
):
    invitation = signed(admin)
    sweep(NOW + 10 * MINUTE, django_capture_on_commit_callbacks)

    assert not services.invitation_dispatch_retry_planned(
        invitation_id=invitation.pk, chain=0, due_at=NOW + 30 * MINUTE
    )
    assert services.invitation_mark_failed(invitation_id=invitation.pk, now=NOW, chain=0) is None
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.SIGNED


def test_an_invitation_never_sent_after_the_last_sweep_is_failed_and_audited(
    admin, settings, queued, django_capture_on_commit_callbacks
):
    invitation = signed(admin)
    stall = datetime.timedelta(seconds=settings.INVITATION_DISPATCH_STALL_SECONDS)
    now = NOW
    for _sweep in range(settings.INVITATION_DISPATCH_MAX_SWEEPS):
        now += stall + MINUTE
        assert sweep(now, django_capture_on_commit_callbacks) == [invitation.pk]

    assert sweep(now + stall + MINUTE, django_capture_on_commit_callbacks) == []

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert len(queued) == settings.INVITATION_DISPATCH_MAX_SWEEPS
    [event] = AuditEvent.objects.filter(
        action=Action.EMAIL_FAILED, company=admin.company, target_id=str(invitation.pk)
    )
    assert event.data == {"reason": "never_sent"}


def test_an_invitation_failed_by_the_sweep_can_be_resent(
    admin, settings, queued, django_capture_on_commit_callbacks
):
    settings.INVITATION_DISPATCH_MAX_SWEEPS = 0
    invitation = signed(admin)
    sweep(NOW + 10 * MINUTE, django_capture_on_commit_callbacks)

    resent = services.invitation_resend(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        ip_address=None,
        now=NOW + 20 * MINUTE,
    )

    assert resent.status == InvitationStatus.SIGNED
    assert (resent.dispatch_sweeps, resent.dispatch_due_at) == (0, NOW + 20 * MINUTE)


def test_a_task_failing_with_a_bug_is_not_requeued_for_ever(
    admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox.BrokenTemplateBackend"
    invitation = signed(admin)
    stall = datetime.timedelta(seconds=settings.INVITATION_DISPATCH_STALL_SECONDS)
    now = NOW
    for _sweep in range(settings.INVITATION_DISPATCH_MAX_SWEEPS + 1):
        now += stall + MINUTE
        with django_capture_on_commit_callbacks() as callbacks:
            services.invitations_requeue_stalled(now=now)
        for callback in callbacks:
            kwargs = callback.keywords
            dispatch_invitation.apply(kwargs=kwargs)  # raises inside, as in a worker

    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_an_invitation_a_worker_is_dispatching(admin, queued):
    invitation = signed(admin)
    queued.clear()  # the signature's own dispatch
    locked, release = threading.Event(), threading.Event()

    def worker_dispatching():
        try:
            with transaction.atomic():
                Invitation.objects.select_for_update().get(pk=invitation.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    worker = threading.Thread(target=worker_dispatching)
    worker.start()
    try:
        assert locked.wait(timeout=10)
        assert services.invitations_requeue_stalled(now=NOW + 10 * MINUTE) == []
    finally:
        release.set()
        worker.join()
    assert queued == []


# The email to the inviter


def test_the_inviter_is_emailed_once_even_if_the_task_runs_twice(admin):
    invitation, token = sent(admin)
    lea = UserFactory.create(email=LEA)
    services.invitation_accept(token=token, user=lea, ip_address=None, now=NOW)
    mail.outbox.clear()

    first = notify_inviter.apply(kwargs={"invitation_id": invitation.pk})
    second = notify_inviter.apply(kwargs={"invitation_id": invitation.pk})

    assert (first.get(), second.get()) == (True, False)
    [message] = mail.outbox
    assert message.to == [admin.user.email]
    invitation.refresh_from_db()
    assert invitation.inviter_notified_at is not None


def test_a_failed_email_to_the_inviter_is_sent_by_the_retry(admin, settings):
    invitation, token = sent(admin)
    lea = UserFactory.create(email=LEA)
    services.invitation_accept(token=token, user=lea, ip_address=None, now=NOW)
    settings.EMAIL_BACKEND = "tests.invitations.test_outbox.FailingEmailBackend"

    with pytest.raises(smtplib.SMTPException):
        services.notify_inviter_of_acceptance(invitation_id=invitation.pk, now=NOW)

    assert Invitation.objects.get(pk=invitation.pk).inviter_notified_at is None


# Bounded time


def test_a_mail_server_that_stops_answering_times_out(settings):
    assert settings.EMAIL_TIMEOUT == 15


def test_a_dispatch_holding_its_row_lock_is_stopped_before_the_broker_redelivers_it(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert dispatch_invitation.soft_time_limit > settings.EMAIL_TIMEOUT
    assert dispatch_invitation.soft_time_limit < dispatch_invitation.time_limit < visibility
