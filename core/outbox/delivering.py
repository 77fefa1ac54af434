"""Delivering a message: claim the row, send with no transaction open, record what happened.

One retry policy for every email and SMS: the attempt that fails waits backoff_seconds(n) before the
next, and after settings.MESSAGE_MAX_ATTEMPTS the message has failed for good (`message_failed`).
A worker that dies while sending leaves its row in `sending`: the sweep queues it again once the
delivery's time limit is certainly over.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from core.email import build_email
from core.mail import RenderedEmail
from core.models import Message, MessageKind, MessageStatus
from core.outbox.hooks import message_failed, message_sent, renderer_for
from core.outbox.writing import LINK_TOKEN, link_token
from core.queueing import backoff_seconds
from core.sms import SmsNotSent, send_sms

logger = logging.getLogger(__name__)

# the outside world failing, as opposed to a bug: both are attempts, only a bug is logged loudly
_EXPECTED_FAILURES = (OSError, SmsNotSent)


@dataclass(frozen=True)
class Delivery:
    """What one run did: sent the message, or not; and in how long its task should try again."""

    sent: bool
    retry_in: int | None = None


def _claim(message_id: int, now: datetime.datetime) -> Message | None:
    """Take a pending row for this run: `sending`, one more attempt; committed at once."""
    with transaction.atomic():
        # lock: two runs of the same delivery must not both send
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status != MessageStatus.PENDING:
            return None  # sent, cancelled, failed, or another run is sending it
        if message.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            # a run that died after its claim, every time (a bug, a process killed)
            _fail(message, now=now, error=message.last_error or "no attempt finished")
            return None
        message.status = MessageStatus.SENDING
        message.attempts += 1
        message.sending_since = now
        message.save(update_fields=["status", "attempts", "sending_since"])
    return message


def _content(message: Message) -> RenderedEmail | None:
    if message.renderer:
        return renderer_for(message.renderer)(message)
    return RenderedEmail(subject=message.subject, text=message.text, html=message.html)


def _send(message: Message, secret: str) -> bool:
    """Hand the message to the mail or SMS backend; False: nothing to send any more."""
    if message.kind == MessageKind.SMS:
        send_sms(to=message.to, body=message.text)
        return True
    content = _content(message)
    if content is None:
        return False
    subject, text, html = (
        part.replace(LINK_TOKEN, secret) for part in (content.subject, content.text, content.html)
    )
    build_email(to=message.to, subject=subject, text=text, html=html).send()
    return True


def _mine(message: Message) -> QuerySet[Message]:
    # only the run that claimed this attempt records its outcome
    return Message.objects.filter(
        pk=message.pk, status=MessageStatus.SENDING, attempts=message.attempts
    )


def _fail(message: Message, *, now: datetime.datetime, error: str) -> None:
    message.status = MessageStatus.FAILED
    message.failed_at = now
    message.last_error = error
    message.sending_since = None
    message.save(update_fields=["status", "failed_at", "last_error", "sending_since"])
    logger.warning("Message %s failed for good after %s attempts.", message.pk, message.attempts)
    message_failed.send(sender=Message, message=message, now=now)


def _describe(error: BaseException, secret: str) -> str:
    cause = error.__cause__
    text = f"{type(error).__name__}: {error}"
    if cause is not None:
        text += f" ({type(cause).__name__}: {cause})"
    # an error may quote what it was given: the link's secret is cut out
    return text.replace(secret, "…")[:300]


def _attempt_failed(
    message: Message, *, error: BaseException, secret: str, now: datetime.datetime
) -> Delivery:
    described = _describe(error, secret)
    if isinstance(error, _EXPECTED_FAILURES):
        logger.warning("Message %s not delivered (attempt %s).", message.pk, message.attempts)
    else:
        logger.error("Message %s could not be delivered.", message.pk, exc_info=error)
    with transaction.atomic():
        mine = _mine(message).select_for_update().first()
        if mine is None:
            return Delivery(sent=False)
        if mine.attempts >= settings.MESSAGE_MAX_ATTEMPTS:
            _fail(mine, now=now, error=described)
            return Delivery(sent=False)
        wait = backoff_seconds(mine.attempts - 1)
        mine.status = MessageStatus.PENDING
        mine.next_attempt_at = now + datetime.timedelta(seconds=wait)
        mine.last_error = described
        mine.sending_since = None
        mine.save(update_fields=["status", "next_attempt_at", "last_error", "sending_since"])
    return Delivery(sent=False, retry_in=wait)


def _finish(message: Message, *, sent: bool, now: datetime.datetime) -> Delivery:
    with transaction.atomic():
        mine = _mine(message).select_for_update().first()
        if mine is None:
            return Delivery(sent=sent)
        mine.sending_since = None
        if sent:
            mine.status, mine.sent_at = MessageStatus.SENT, now
            mine.save(update_fields=["status", "sent_at", "sending_since"])
            # the apps' receivers run in this transaction: their state moves with the row's
            message_sent.send(sender=Message, message=mine, now=now)
        else:
            mine.status, mine.last_error = MessageStatus.CANCELLED, "nothing to send"
            mine.save(update_fields=["status", "last_error", "sending_since"])
    return Delivery(sent=sent)


def message_deliver(*, message_id: int, now: datetime.datetime) -> Delivery:
    """Send one message. Run twice, it sends once; a failure is an attempt, retried with backoff."""
    message = _claim(message_id, now)
    if message is None:
        return Delivery(sent=False)
    secret = link_token(message)
    # no transaction is open and no row is locked while the mail server or Twilio answers
    try:
        sent = _send(message, secret)
    except Exception as error:
        return _attempt_failed(message, error=error, secret=secret, now=now)
    return _finish(message, sent=sent, now=now)
