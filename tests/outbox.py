"""The outbox from a test's side: what the services wrote, and delivering it as a worker would."""

import datetime

from django.utils import timezone

from core import outbox
from core.models import Message, MessageKind, MessageStatus
from core.tasks import message_deliver


def pending(**filters: object) -> list[Message]:
    return list(Message.objects.filter(status=MessageStatus.PENDING, **filters).order_by("pk"))


def emails_to(address: str) -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.EMAIL, to=address).order_by("pk"))


def deliver(*, now: datetime.datetime | None = None, **filters: object) -> int:
    """Deliver once each pending message (the service, at `now`); how many were sent."""
    now = now or timezone.now()
    return sum(
        outbox.message_deliver(message_id=message.pk, now=now).sent
        for message in pending(**filters)
    )


def run_tasks(**filters: object) -> list[bool]:
    """Run the delivery task of each pending message in this process, retries included."""
    return [
        message_deliver.apply(kwargs={"message_id": message.pk}).get()
        for message in pending(**filters)
    ]
