"""The sweep that queues again what a lost broker or a dead worker dropped, and support's resend."""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from core.models import Message, MessageKind, MessageStatus
from core.outbox.writing import MESSAGE_DELIVER
from core.queueing import publish

logger = logging.getLogger(__name__)


class MessageNotResendable(Exception):
    """Only an email that failed for good is sent again by hand."""


def messages_sweep(*, now: datetime.datetime) -> list[int]:
    """Queue again the messages whose delivery is lost; the ids queued.

    Lost: still pending this long past the try planned for them (the task was never published, or
    dropped), or in `sending` this long (its worker died: the time limit is over by then). The rows
    are taken with SKIP LOCKED, so two sweeps at once never queue one message twice, and each is
    marked as queued now, so the next sweep leaves it to this one's task.
    """
    late = now - datetime.timedelta(seconds=settings.MESSAGE_STALL_SECONDS)
    with transaction.atomic():
        lost = list(
            Message.objects.filter(
                Q(status=MessageStatus.PENDING, next_attempt_at__lte=late)
                | Q(status=MessageStatus.SENDING, sending_since__lte=late)
            )
            .select_for_update(skip_locked=True)
            .order_by("next_attempt_at", "pk")
            .values_list("pk", flat=True)[: settings.MESSAGE_SWEEP_BATCH]
        )
        Message.objects.filter(pk__in=lost).update(
            status=MessageStatus.PENDING, next_attempt_at=now, sending_since=None
        )
        for message_id in lost:
            transaction.on_commit(partial(publish, MESSAGE_DELIVER, message_id=message_id))
    if lost:
        logger.info("Sweep: %s message(s) queued again.", len(lost))
    return lost


@transaction.atomic
def message_resend(*, message_id: int, now: datetime.datetime) -> Message:
    """Support sends a failed email again: the same row, so the same link, with fresh attempts."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.kind != MessageKind.EMAIL or message.status != MessageStatus.FAILED:
        raise MessageNotResendable
    message.status = MessageStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = now
    message.failed_at = None
    message.save(update_fields=["status", "attempts", "next_attempt_at", "failed_at"])
    transaction.on_commit(partial(publish, MESSAGE_DELIVER, message_id=message.pk))
    logger.info("Message %s queued again by support.", message.pk)
    return message
