"""rows_update: the changed fields of many rows saved in one statement, each row its own values."""

import datetime

import pytest

from core import outbox
from core.bulk import rows_update
from core.models import Message, MessageStatus
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db


def written(count: int) -> list[Message]:
    return outbox.emails_queue(
        [
            outbox.Email(
                key=f"test:bulk:{n}",
                to=f"personne{n}@partenaire.example",
                subject="Objet",
                template="otp/email/signing_locked",
                context={"wrong_codes": 20, "support": "le support"},
            )
            for n in range(count)
        ],
        now=NOW,
    )


def test_each_row_gets_its_own_values_in_one_statement(django_assert_num_queries):
    messages = written(3)
    for n, message in enumerate(messages):
        message.status = MessageStatus.SENT if n else MessageStatus.FAILED
        message.attempts = n + 1
        message.sending_since = NOW + datetime.timedelta(minutes=n) if n else None
        message.last_error = "" if n else "refusé"

    with django_assert_num_queries(1):
        rows_update(messages, ["status", "attempts", "sending_since", "last_error"])

    stored = {m.pk: m for m in Message.objects.filter(pk__in=[m.pk for m in messages])}
    for message in messages:
        again = stored[message.pk]
        assert (again.status, again.attempts, again.sending_since, again.last_error) == (
            message.status,
            message.attempts,
            message.sending_since,
            message.last_error,
        )


def test_other_rows_and_other_fields_are_left_alone():
    first, second = written(2)
    first.status, first.to = MessageStatus.SENT, "autre@partenaire.example"

    rows_update([first], ["status"])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.to) == (MessageStatus.SENT, "personne0@partenaire.example")
    assert second.status == MessageStatus.PENDING


def test_no_rows_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        rows_update([], ["status"])
