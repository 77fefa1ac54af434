"""The outbox: every email and SMS of the portal is a row, written in the transaction of the change
that causes it, delivered by one task with one retry policy, swept if its task was lost."""

from core.outbox.delivering import Delivery, message_deliver
from core.outbox.hooks import message_failed, message_sent, renderer_register
from core.outbox.sweeping import MessageNotResendable, message_resend, messages_sweep
from core.outbox.writing import (
    CODE_MASK,
    LINK_TOKEN,
    MESSAGE_DELIVER,
    Email,
    email_queue,
    email_queue_rendered_at_delivery,
    emails_queue,
    link_token,
    messages_about_count,
    messages_about_counts,
    messages_cancel,
    sms_queue,
    sms_record,
)

__all__ = [
    "CODE_MASK",
    "LINK_TOKEN",
    "MESSAGE_DELIVER",
    "Delivery",
    "Email",
    "MessageNotResendable",
    "email_queue",
    "email_queue_rendered_at_delivery",
    "emails_queue",
    "link_token",
    "message_deliver",
    "message_failed",
    "message_resend",
    "message_sent",
    "messages_about_count",
    "messages_about_counts",
    "messages_cancel",
    "messages_sweep",
    "renderer_register",
    "sms_queue",
    "sms_record",
]
