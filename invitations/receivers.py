"""The invitation follows its email: the outbox says when it left or failed for good."""

import datetime
from typing import Any

from django.dispatch import receiver

from core.models import Message
from core.outbox import message_failed, message_sent
from invitations.services.emails import (
    INVITATION_EMAIL,
    invitation_email_failed,
    invitation_email_sent,
)


@receiver(message_sent, dispatch_uid="invitations.email_sent")
def on_message_sent(
    sender: Any, *, message: Message, now: datetime.datetime, **kwargs: Any
) -> None:
    if message.template == INVITATION_EMAIL:
        invitation_email_sent(message=message, now=now)


@receiver(message_failed, dispatch_uid="invitations.email_failed")
def on_message_failed(
    sender: Any, *, message: Message, now: datetime.datetime, **kwargs: Any
) -> None:
    if message.template == INVITATION_EMAIL:
        invitation_email_failed(message=message, now=now)
