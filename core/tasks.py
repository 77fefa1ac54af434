"""The outbox's two tasks: deliver one message, and sweep up those whose task was lost."""

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from core import outbox


@shared_task(
    bind=True,
    acks_late=True,
    # the row counts the attempts (settings.MESSAGE_MAX_ATTEMPTS), not Celery
    max_retries=None,
    soft_time_limit=settings.MESSAGE_SOFT_TIME_LIMIT,
    time_limit=settings.MESSAGE_TIME_LIMIT,
)
def message_deliver(self: Task, *, message_id: int) -> bool:
    delivery = outbox.message_deliver(message_id=message_id, now=timezone.now())
    if delivery.retry_in is not None:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.sent


@shared_task
def messages_sweep() -> int:
    return len(outbox.messages_sweep(now=timezone.now()))
