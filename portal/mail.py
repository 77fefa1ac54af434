"""Every email of the portal: a subject, a text part and an HTML part rendered from two templates."""

import datetime
from typing import Any

from django.db import transaction

from accounts.models import User
from core.email import build_email, render_email
from portal.models import SentEmail


def send_templated_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Render `<template>.txt` and `<template>.html` and send; a mail failure is raised."""
    text, html = render_email(template=template, context=context)
    build_email(to=to, subject=subject, text=text, html=html).send()


def send_templated_email_once(
    *,
    notification: str,
    recipient: User,
    now: datetime.datetime,
    subject: str,
    template: str,
    context: dict[str, Any],
) -> bool:
    """Email `recipient` unless `notification` already reached them; whether it sent now.

    The record and the email share a transaction: a mail failure leaves no record, so a retry
    sends this one again and skips the recipients already emailed.
    """
    with transaction.atomic():
        # lock: a second run inserting the same row waits on the unique index, then finds it
        _, created = SentEmail.objects.get_or_create(
            notification=notification, recipient=recipient, defaults={"sent_at": now}
        )
        if not created:
            return False
        send_templated_email(
            to=recipient.email, subject=subject, template=template, context=context
        )
    return True
