"""Writing a message: one row, in the transaction of the change that causes it.

The row is delivered after commit by the task `core.tasks.message_deliver`; if the broker refuses
it, the sweep queues it later. Writing the same key again changes nothing.
"""

import base64
import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Count, Model
from django.utils.crypto import salted_hmac

from core.mail import email_render
from core.models import Message, MessageKind, MessageStatus
from core.queueing import publish

# the task that delivers a row, named rather than imported: tasks import services, not the reverse
MESSAGE_DELIVER = "core.tasks.message_deliver"
# stands for a link's secret in a stored email; replaced by link_token() as the email leaves
LINK_TOKEN = "__link_token__"  # noqa: S105  (a placeholder, not a secret)
# what a signing code's SMS keeps of the code
CODE_MASK = "••••••"


def link_token(message: Message) -> str:
    """The secret of the link a message carries, derived from the server key and the row.

    Never stored: the same row always gives the same token (a redelivery sends a working link),
    another row another one (a resend kills the old link). 256 bits, URL-safe, 43 characters.
    """
    digest = salted_hmac(
        "core.outbox.link", f"{message.pk}:{message.key}", algorithm="sha256"
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _about(about: Model | None) -> dict[str, Any]:
    if about is None:
        return {"about_type": None, "about_id": ""}
    return {"about_type": ContentType.objects.get_for_model(about), "about_id": str(about.pk)}


def _insert(message: Message) -> bool:
    """INSERT ... ON CONFLICT (key) DO NOTHING; whether the row is new (its pk is then set)."""
    quote = connection.ops.quote_name
    fields = [field for field in Message._meta.concrete_fields if not field.primary_key]
    table = quote(Message._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    returning = quote(str(Message._meta.pk.column))
    values = [
        field.get_db_prep_save(getattr(message, field.attname), connection) for field in fields
    ]
    # names come from the model, quoted; every value is a bound parameter
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT ({quote('key')}) DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    message._state.adding, message._state.db = False, connection.alias
    return True


def _insert_many(messages: Sequence[Message]) -> list[Message]:
    """One INSERT ... ON CONFLICT (key) DO NOTHING for every row; those that are new, pk set."""
    quote = connection.ops.quote_name
    fields = [field for field in Message._meta.concrete_fields if not field.primary_key]
    table = quote(Message._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = [
        field.get_db_prep_save(getattr(message, field.attname), connection)
        for message in messages
        for field in fields
    ]
    returning = f"{quote(str(Message._meta.pk.column))}, {quote('key')}"
    # names come from the model, quoted; every value is a bound parameter
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(messages))} "  # noqa: S608
    sql += f"ON CONFLICT ({quote('key')}) DO NOTHING RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        ids = dict((key, pk) for pk, key in cursor.fetchall())
    new = [message for message in messages if message.key in ids]
    for message in new:
        message.pk = ids[message.key]
        message._state.adding, message._state.db = False, connection.alias
    return new


def _queue(message: Message) -> Message:
    if not _insert(message):
        return Message.objects.get(key=message.key)
    # delivered once the cause is committed; a broker that refuses leaves it to the sweep
    transaction.on_commit(partial(publish, MESSAGE_DELIVER, message_id=message.pk))
    return message


def _new(
    *,
    kind: MessageKind,
    key: str,
    to: str,
    about: Model | None,
    company_id: int | None,
    now: datetime.datetime,
    **content: str,
) -> Message:
    return Message(
        kind=kind,
        key=key,
        to=to,
        company_id=company_id,
        created_at=now,
        next_attempt_at=now,
        **_about(about),
        **content,
    )


def email_queue(
    *,
    key: str,
    to: str,
    subject: str,
    template: str,
    context: dict[str, Any],
    now: datetime.datetime,
    about: Model | None = None,
    company_id: int | None = None,
) -> Message:
    """Queue an email rendered now from `<template>.txt/.html`: the one row of this `key`.

    A link whose secret must not be stored is written with LINK_TOKEN in its place.
    """
    rendered = email_render(subject=subject, template=template, context=context)
    return _queue(
        _new(
            kind=MessageKind.EMAIL,
            key=key,
            to=to,
            about=about,
            company_id=company_id,
            now=now,
            template=template,
            subject=rendered.subject[:255],
            text=rendered.text,
            html=rendered.html,
        )
    )


EMAILS_PER_INSERT = 1000


@dataclass(frozen=True)
class Email:
    """One email of `emails_queue`: what `email_queue` takes, but the time."""

    key: str
    to: str
    subject: str
    template: str
    context: dict[str, Any]
    about: Model | None = None
    company_id: int | None = None


def emails_queue(emails: Sequence[Email], *, now: datetime.datetime) -> list[Message]:
    """`email_queue` for many emails written by one change (a signed batch of invitations): the
    rows in one statement, whatever their number; the row of each key, in the order given."""
    if not emails:
        return []
    messages = []
    for email in emails:
        rendered = email_render(
            subject=email.subject, template=email.template, context=email.context
        )
        messages.append(
            _new(
                kind=MessageKind.EMAIL,
                key=email.key,
                to=email.to,
                about=email.about,
                company_id=email.company_id,
                now=now,
                template=email.template,
                subject=rendered.subject[:255],
                text=rendered.text,
                html=rendered.html,
            )
        )
    # rows per statement: the bound values stay under PostgreSQL's and SQLite's limits
    new = [
        message
        for start in range(0, len(messages), EMAILS_PER_INSERT)
        for message in _insert_many(messages[start : start + EMAILS_PER_INSERT])
    ]
    for message in new:
        # delivered once the cause is committed; a broker that refuses leaves it to the sweep
        transaction.on_commit(partial(publish, MESSAGE_DELIVER, message_id=message.pk))
    if len(new) < len(messages):  # keys written before: their rows as they are
        known = {message.key for message in new}
        earlier = Message.objects.filter(key__in=[m.key for m in messages if m.key not in known])
        by_key = {message.key: message for message in [*new, *earlier]}
        return [by_key[message.key] for message in messages]
    return messages


def email_queue_rendered_at_delivery(
    *,
    key: str,
    to: str,
    renderer: str,
    now: datetime.datetime,
    about: Model | None = None,
    company_id: int | None = None,
) -> Message:
    """Queue an email the renderer registered as `renderer` makes when it leaves."""
    return _queue(
        _new(
            kind=MessageKind.EMAIL,
            key=key,
            to=to,
            about=about,
            company_id=company_id,
            now=now,
            renderer=renderer,
        )
    )


def sms_queue(
    *,
    key: str,
    to: str,
    text: str,
    now: datetime.datetime,
    about: Model | None = None,
    company_id: int | None = None,
) -> Message:
    """Queue an SMS that carries no secret (a warning, a notice)."""
    return _queue(
        _new(
            kind=MessageKind.SMS,
            key=key,
            to=to,
            about=about,
            company_id=company_id,
            now=now,
            text=text,
        )
    )


def sms_record(
    *,
    to: str,
    text: str,
    error: str,
    now: datetime.datetime,
    about: Model | None = None,
    company_id: int | None = None,
) -> Message:
    """Keep an SMS already sent (or refused: `error`) within the request, for support to see.

    `text` is what may be kept: a signing code's SMS comes here with its code masked (CODE_MASK).
    """
    message = _new(
        kind=MessageKind.SMS,
        key=f"sms:{uuid.uuid4().hex}",
        to=to,
        about=about,
        company_id=company_id,
        now=now,
        text=text,
    )
    message.attempts = 1
    if error:
        message.status, message.failed_at, message.last_error = MessageStatus.FAILED, now, error
    else:
        message.status, message.sent_at = MessageStatus.SENT, now
    message.save(force_insert=True)
    return message


def messages_cancel(*, about: Model, now: datetime.datetime) -> int:
    """Cancel the messages about `about` not sent yet (a revoked invitation's email)."""
    return Message.objects.filter(
        about_type=ContentType.objects.get_for_model(about),
        about_id=str(about.pk),
        status=MessageStatus.PENDING,
    ).update(status=MessageStatus.CANCELLED, last_error=f"cancelled {now.isoformat()}")


def messages_about_counts(*, about: Sequence[Model], template: str) -> dict[str, int]:
    """`messages_about_count` for many objects of one model at once, by their pk as a string."""
    if not about:
        return {}
    counted = (
        Message.objects.filter(
            about_type=ContentType.objects.get_for_model(about[0]),
            about_id__in=[str(obj.pk) for obj in about],
            template=template,
        )
        .values("about_id")
        .annotate(count=Count("pk"))
        .values_list("about_id", "count")
    )
    return {str(obj.pk): 0 for obj in about} | dict(counted)


def messages_about_count(*, about: Model, template: str) -> int:
    """How many emails of `template` were written about `about` (a resend's number)."""
    return Message.objects.filter(
        about_type=ContentType.objects.get_for_model(about),
        about_id=str(about.pk),
        template=template,
    ).count()
