"""The outbox: a row per message and person, written with its cause, delivered once by one task
with one retry policy, swept when its task was lost, and never holding a secret."""

import datetime
import smtplib
import threading

import pytest
from django.core import mail
from django.db import connection, transaction

from core import outbox, sms
from core.mail import RenderedEmail
from core.models import Message, MessageKind, MessageStatus
from core.queueing import backoff_seconds
from core.tasks import message_deliver, messages_sweep
from portal.celery import app
from tests.otp.factories import NOW, rows_containing

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)
LEA = "lea.martin@partenaire.example"
TEMPLATE = "otp/email/signing_locked"
FLAKY = "tests.core.test_outbox.FlakyEmailBackend"


class FlakyEmailBackend:
    """Refuses as many messages as told, then delivers to the locmem outbox."""

    refuse = 0
    error: type[Exception] = smtplib.SMTPServerDisconnected

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if type(self).refuse:
            type(self).refuse -= 1
            raise type(self).error("connection lost")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = FLAKY
    FlakyEmailBackend.refuse = 0
    FlakyEmailBackend.error = smtplib.SMTPServerDisconnected
    return FlakyEmailBackend


@pytest.fixture
def published(monkeypatch):
    """What was handed to the broker, by message id."""
    ids: list[int] = []

    def publish(task_name, /, **kwargs):
        assert task_name == outbox.MESSAGE_DELIVER
        ids.append(kwargs["message_id"])
        return True

    monkeypatch.setattr("core.outbox.writing.publish", publish)
    monkeypatch.setattr("core.outbox.sweeping.publish", publish)
    return ids


@pytest.fixture
def signalled():
    """What the outbox told the apps: (signal name, message id, status, now)."""
    seen: list[tuple[str, int, str, datetime.datetime]] = []

    def receiver(signal, message, now, **kwargs):
        name = "sent" if signal is outbox.message_sent else "failed"
        seen.append((name, message.pk, message.status, now))

    outbox.message_sent.connect(receiver)
    outbox.message_failed.connect(receiver)
    yield seen
    outbox.message_sent.disconnect(receiver)
    outbox.message_failed.disconnect(receiver)


def queue(key="test:1", *, to=LEA, now=NOW, **context) -> Message:
    return outbox.email_queue(
        key=key,
        to=to,
        subject="Mes équipes :\nvotre signature\n",
        template=TEMPLATE,
        context={"wrong_codes": 20, "support": "le support", **context},
        now=now,
        company_id=42,
    )


def deliver(message, now=NOW):
    return outbox.message_deliver(message_id=message.pk, now=now)


def reloaded(message) -> Message:
    return Message.objects.get(pk=message.pk)


# Writing


def test_writing_the_same_key_twice_keeps_one_row_and_queues_it_once(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue()
        second = queue()

    assert first.pk == second.pk
    assert Message.objects.filter(key="test:1").count() == 1
    assert published == [first.pk]


def email(key: str, to: str = LEA) -> outbox.Email:
    return outbox.Email(
        key=key,
        to=to,
        subject="Mes équipes : votre signature",
        template=TEMPLATE,
        context={"wrong_codes": 20, "support": "le support"},
        company_id=42,
    )


def test_many_emails_are_written_in_one_statement_and_each_queued_once(
    published, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(1):
        written = outbox.emails_queue(
            [email(f"test:many:{n}", f"personne{n}@partenaire.example") for n in range(30)],
            now=NOW,
        )

    assert [m.key for m in written] == [f"test:many:{n}" for n in range(30)]
    assert [reloaded(m).to for m in written] == [m.to for m in written]
    assert published == [m.pk for m in written]
    assert all(reloaded(m).status == MessageStatus.PENDING for m in written)


def test_many_emails_keep_the_row_of_a_key_written_before_and_queue_it_no_more(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        before = queue("test:many:1")
        written = outbox.emails_queue([email("test:many:0"), email("test:many:1")], now=NOW)

    assert written[1].pk == before.pk
    assert Message.objects.filter(key__startswith="test:many:").count() == 2
    assert published == [before.pk, written[0].pk]


def test_a_message_is_queued_only_once_its_cause_commits(
    published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue()
        assert published == []

    assert published == [message.pk]


def test_a_message_is_written_pending_with_its_rendered_parts(published):
    message = queue()

    assert (message.kind, message.status, message.attempts) == (
        MessageKind.EMAIL,
        MessageStatus.PENDING,
        0,
    )
    assert message.subject == "Mes équipes : votre signature"  # a header holds one line
    assert "le support" in message.text
    assert "le support" in message.html
    assert (message.created_at, message.next_attempt_at, message.company_id) == (NOW, NOW, 42)


def test_with_the_broker_down_the_message_waits_for_the_sweep(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr(message_deliver, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        message = queue()

    assert reloaded(message).status == MessageStatus.PENDING
    assert f"message_id={message.pk}" in caplog.text
    assert LEA not in caplog.text  # ids are logged, never personal data
    assert mail.outbox == []  # nothing ran in this process


def test_the_task_the_outbox_queues_by_name_is_the_delivery_task():
    assert message_deliver.name == outbox.MESSAGE_DELIVER


# Delivering


def test_delivery_sends_the_email_and_marks_it_sent(published):
    message = queue()

    delivery = deliver(message)

    assert delivery == outbox.Delivery(sent=True)
    [email] = mail.outbox
    assert email.to == [LEA]
    assert email.subject == "Mes équipes : votre signature"
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "le support" in str(html)
    message = reloaded(message)
    assert (message.status, message.attempts, message.sent_at) == (MessageStatus.SENT, 1, NOW)


def test_a_delivery_run_twice_sends_once(published):
    message = queue()

    first, second = deliver(message), deliver(message)

    assert (first.sent, second.sent) == (True, False)
    assert len(mail.outbox) == 1


def test_an_smtp_failure_is_an_attempt_retried_after_a_backoff(published, flaky):
    flaky.refuse = 1
    message = queue()

    delivery = deliver(message)

    assert delivery == outbox.Delivery(sent=False, retry_in=backoff_seconds(0))
    message = reloaded(message)
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == NOW + datetime.timedelta(seconds=backoff_seconds(0))
    assert message.last_error.startswith("SMTPServerDisconnected")
    assert mail.outbox == []


def test_a_mail_server_back_after_a_failure_gets_the_message_once(published, flaky):
    flaky.refuse = 2
    message = queue()

    first, second = deliver(message), deliver(message, now=NOW + MINUTE)
    third = deliver(message, now=NOW + 2 * MINUTE)

    assert (first.sent, second.sent, third.sent) == (False, False, True)
    assert second.retry_in == backoff_seconds(1)
    assert len(mail.outbox) == 1
    assert reloaded(message).attempts == 3


def test_the_task_retries_until_the_mail_server_is_back(published, flaky):
    flaky.refuse = 2
    message = queue()

    result = message_deliver.apply(kwargs={"message_id": message.pk})

    assert result.get() is True
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_message_has_failed_for_good(
    published, flaky, settings, signalled
):
    flaky.refuse = 100
    message = queue()

    result = message_deliver.apply(kwargs={"message_id": message.pk})

    assert result.get() is False
    message = reloaded(message)
    assert (message.status, message.attempts) == (
        MessageStatus.FAILED,
        settings.MESSAGE_MAX_ATTEMPTS,
    )
    assert message.failed_at is not None
    assert [(name, pk) for name, pk, _status, _now in signalled] == [("failed", message.pk)]
    assert deliver(message).sent is False  # a failed message is not tried again by itself


def test_a_bug_while_sending_is_an_attempt_too_and_is_logged(published, flaky, caplog):
    flaky.refuse, flaky.error = 1, RuntimeError
    message = queue()

    assert deliver(message).retry_in is not None

    assert reloaded(message).last_error.startswith("RuntimeError")
    assert "could not be delivered" in caplog.text


def test_retries_back_off_and_stay_under_the_brokers_visibility_timeout(settings):
    delays = [backoff_seconds(n) for n in range(12)]

    assert delays[:4] == [30, 60, 120, 240]
    assert delays == sorted(delays)
    assert max(delays) < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


def test_the_sent_signal_carries_the_row_and_the_time_of_delivery(published, signalled):
    message = queue()

    deliver(message, now=NOW + MINUTE)

    assert signalled == [("sent", message.pk, MessageStatus.SENT, NOW + MINUTE)]


def test_an_sms_is_delivered_through_the_sms_backend(published):
    message = outbox.sms_queue(key="sms:1", to="+33612345678", text="Bonjour", now=NOW)

    assert deliver(message).sent is True

    assert sms.outbox == [sms.Sms(to="+33612345678", body="Bonjour")]


def test_an_sms_the_provider_refuses_is_retried(published, monkeypatch):
    def refused(**kwargs):
        raise sms.SmsNotSent

    monkeypatch.setattr("core.outbox.delivering.send_sms", refused)
    message = outbox.sms_queue(key="sms:1", to="+33612345678", text="Bonjour", now=NOW)

    assert deliver(message).retry_in == backoff_seconds(0)
    assert reloaded(message).last_error.startswith("SmsNotSent")


# Secrets


def test_a_link_token_is_derived_from_its_row_and_never_stored(published):
    message = queue(url=f"https://portal.example/invitation/{outbox.LINK_TOKEN}/")
    token = outbox.link_token(message)

    assert outbox.link_token(reloaded(message)) == token
    assert len(token) == 43  # 256 bits, URL-safe
    assert outbox.link_token(queue("test:2")) != token
    assert rows_containing(token) == []


def test_a_message_written_with_a_link_leaves_with_its_token(published, settings):
    settings.SUPPORT_CONTACT = "x"
    message = outbox.email_queue(
        key="test:link",
        to=LEA,
        subject="Lien",
        template=TEMPLATE,
        context={"support": f"https://portal.example/{outbox.LINK_TOKEN}/"},
        now=NOW,
    )

    deliver(message)

    token = outbox.link_token(message)
    assert f"https://portal.example/{token}/" in mail.outbox[0].body
    assert token not in reloaded(message).text
    assert rows_containing(token) == []


def test_a_renderer_makes_the_email_as_it_leaves(published):
    outbox.renderer_register(
        "test", lambda message: RenderedEmail(subject="Fait", text=f"pour {message.to}", html="")
    )
    message = outbox.email_queue_rendered_at_delivery(
        key="test:rendered", to=LEA, renderer="test", now=NOW
    )

    deliver(message)

    [email] = mail.outbox
    assert (email.subject, email.body, email.alternatives) == ("Fait", f"pour {LEA}", [])
    assert reloaded(message).text == ""


def test_a_renderer_with_nothing_to_send_cancels_the_message(published):
    outbox.renderer_register("nothing", lambda message: None)
    message = outbox.email_queue_rendered_at_delivery(
        key="test:nothing", to=LEA, renderer="nothing", now=NOW
    )

    assert deliver(message).sent is False

    assert reloaded(message).status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_an_sms_sent_within_the_request_is_recorded_as_given(published):
    sent = outbox.sms_record(to="+33612345678", text="code ••••••", error="", now=NOW)
    refused = outbox.sms_record(to="+33612345678", text="code ••••••", error="SmsNotSent", now=NOW)

    assert (sent.status, sent.sent_at) == (MessageStatus.SENT, NOW)
    assert (refused.status, refused.failed_at) == (MessageStatus.FAILED, NOW)
    assert published == []  # not delivered again by the task


# Sweeping


def test_the_sweep_queues_a_message_whose_task_was_lost(published, settings):
    message = queue()
    published.clear()
    stall = datetime.timedelta(seconds=settings.MESSAGE_STALL_SECONDS)

    assert outbox.messages_sweep(now=NOW + stall - MINUTE) == []
    with_callbacks = outbox.messages_sweep(now=NOW + stall)

    assert with_callbacks == [message.pk]


def test_the_sweep_queues_after_commit_and_leaves_the_message_to_that_task(
    published, settings, django_capture_on_commit_callbacks
):
    message = queue()
    published.clear()
    late = NOW + datetime.timedelta(seconds=settings.MESSAGE_STALL_SECONDS)

    with django_capture_on_commit_callbacks(execute=True):
        outbox.messages_sweep(now=late)

    assert published == [message.pk]
    assert reloaded(message).next_attempt_at == late
    assert outbox.messages_sweep(now=late + datetime.timedelta(seconds=10)) == []


def test_a_message_waiting_for_its_retry_is_not_taken_for_lost(published, flaky, settings):
    flaky.refuse = 1
    message = queue()
    retry_in = deliver(message).retry_in
    assert retry_in is not None
    stall = datetime.timedelta(seconds=settings.MESSAGE_STALL_SECONDS)
    planned = NOW + datetime.timedelta(seconds=retry_in)

    assert outbox.messages_sweep(now=planned + stall - MINUTE) == []
    assert outbox.messages_sweep(now=planned + stall) == [message.pk]


def test_a_delivery_whose_worker_died_is_swept_once_its_time_limit_is_over(published, settings):
    message = queue()
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, sending_since=NOW
    )
    stall = datetime.timedelta(seconds=settings.MESSAGE_STALL_SECONDS)

    assert deliver(message, now=NOW + MINUTE).sent is False  # still its worker's
    assert outbox.messages_sweep(now=NOW + stall - MINUTE) == []
    assert outbox.messages_sweep(now=NOW + stall) == [message.pk]
    assert deliver(message, now=NOW + stall).sent is True
    assert reloaded(message).attempts == 2


def test_a_message_whose_every_run_died_fails_for_good(published, settings):
    message = queue()
    Message.objects.filter(pk=message.pk).update(attempts=settings.MESSAGE_MAX_ATTEMPTS)

    assert deliver(message).sent is False

    assert reloaded(message).status == MessageStatus.FAILED
    assert mail.outbox == []


def test_the_sweep_runs_as_a_task(published):
    assert messages_sweep.apply().get() == 0


def test_beat_sweeps_often_enough_to_recover_a_dead_delivery_within_a_minute(settings):
    [entry] = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == messages_sweep.name
    ]

    assert entry["schedule"] <= settings.MESSAGE_STALL_SECONDS
    # stalled, then found by the next sweep, then one delivery (its hard time limit at most)
    assert settings.MESSAGE_STALL_SECONDS + entry["schedule"] + message_deliver.time_limit <= 65
    assert settings.MESSAGE_STALL_SECONDS + entry["schedule"] <= 40


def test_a_delivery_is_stopped_before_the_broker_redelivers_it_or_the_sweep_takes_it(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert message_deliver.soft_time_limit > settings.EMAIL_TIMEOUT
    assert message_deliver.soft_time_limit > settings.TWILIO_TIMEOUT_SECONDS
    assert message_deliver.soft_time_limit < message_deliver.time_limit
    assert message_deliver.time_limit < settings.MESSAGE_STALL_SECONDS < visibility


def test_tasks_are_acknowledged_late_and_put_back_when_their_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert message_deliver.acks_late


def test_the_visibility_timeout_outlasts_the_longest_retry_countdown(settings):
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]

    assert visibility > settings.TASK_RETRY_MAX_SECONDS


@pytest.mark.django_db(transaction=True)
def test_the_sweep_skips_a_message_a_worker_holds(published):
    message = queue()
    locked, release = threading.Event(), threading.Event()

    def worker_claiming():
        try:
            with transaction.atomic():
                Message.objects.select_for_update().get(pk=message.pk)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    worker = threading.Thread(target=worker_claiming)
    worker.start()
    try:
        assert locked.wait(timeout=10)
        assert outbox.messages_sweep(now=NOW + 10 * MINUTE) == []
    finally:
        release.set()
        worker.join()
    assert outbox.messages_sweep(now=NOW + 10 * MINUTE) == [message.pk]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_queue_a_lost_message_once(published):
    messages = [queue(f"test:{n}") for n in range(20)]
    published.clear()
    barrier = threading.Barrier(2)
    swept: list[list[int]] = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            swept.append(outbox.messages_sweep(now=NOW + 10 * MINUTE))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(swept[0] + swept[1]) == [message.pk for message in messages]
    assert sorted(published) == [message.pk for message in messages]


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_one_email(published):
    message = queue()
    barrier = threading.Barrier(2)
    outcomes: list[bool] = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(deliver(message).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == [False, True]
    assert len(mail.outbox) == 1


# Support


def test_support_resends_a_failed_email_with_fresh_attempts(published, flaky, settings):
    flaky.refuse = 100
    message = queue()
    message_deliver.apply(kwargs={"message_id": message.pk})
    flaky.refuse = 0
    published.clear()

    outbox.message_resend(message_id=message.pk, now=NOW + MINUTE)

    assert (reloaded(message).status, reloaded(message).attempts) == (MessageStatus.PENDING, 0)
    assert deliver(message, now=NOW + MINUTE).sent is True


@pytest.mark.parametrize("status", [MessageStatus.PENDING, MessageStatus.SENT])
def test_only_a_failed_email_is_resent(published, status):
    message = queue()
    Message.objects.filter(pk=message.pk).update(status=status)

    with pytest.raises(outbox.MessageNotResendable):
        outbox.message_resend(message_id=message.pk, now=NOW)


def test_cancelling_leaves_the_sent_messages_alone(published, admin_user):
    pending_one = outbox.email_queue(
        key="a", to=LEA, subject="s", template=TEMPLATE, context={}, about=admin_user, now=NOW
    )
    sent_one = outbox.email_queue(
        key="b", to=LEA, subject="s", template=TEMPLATE, context={}, about=admin_user, now=NOW
    )
    deliver(sent_one)

    assert outbox.messages_cancel(about=admin_user, now=NOW) == 1

    assert reloaded(pending_one).status == MessageStatus.CANCELLED
    assert reloaded(sent_one).status == MessageStatus.SENT


def test_under_make_run_the_message_is_delivered_in_this_process_on_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = queue()
    finally:
        (app.conf.changes or {}).pop("task_always_eager", None)

    assert reloaded(message).status == MessageStatus.SENT
    assert [email.to for email in mail.outbox] == [[LEA]]
