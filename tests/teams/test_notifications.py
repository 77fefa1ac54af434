"""A right that moves money reaches every administrator through the outbox: one email each,
written with the signature, each sent once even when a delivery fails or runs twice."""

import pytest
from django.core import mail
from django.utils import timezone

from companies.models import Role
from core import outbox
from core.models import Message
from permissions.catalogue import Right
from tests.factories import MembershipFactory
from tests.mail_backends import SECOND_MESSAGE_FAILS_ONCE, SecondMessageFailsOnce
from tests.outbox import deliver, run_tasks
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def money_right_granted(admin, collaborator_with):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    change = request_change(admin, collaborator_with(), Right.BANK_DETAILS)
    request_code(admin, change)
    return sign(admin, change)


def admin_emails(company):
    return sorted(company.memberships.filter(role=Role.ADMIN).values_list("user__email", flat=True))


def admins_told(change):
    return Message.objects.filter(about_id=str(change.pk), template__contains="money_rights")


def test_a_mail_failure_on_the_second_administrator_emails_each_one_once(
    admin, money_right_granted, settings, monkeypatch
):
    settings.EMAIL_BACKEND = SECOND_MESSAGE_FAILS_ONCE
    monkeypatch.setattr(SecondMessageFailsOnce, "attempts", 0)

    run_tasks(pk__in=admins_told(money_right_granted).values("pk"))

    assert SecondMessageFailsOnce.attempts == 3
    assert sorted(m.to[0] for m in mail.outbox) == admin_emails(admin.company)


def test_the_administrators_are_emailed_once_when_delivered_twice(admin, money_right_granted):
    messages = list(admins_told(money_right_granted))

    deliver(pk__in=[message.pk for message in messages])
    again = [
        outbox.message_deliver(message_id=message.pk, now=timezone.now()).sent
        for message in messages
    ]

    assert again == [False, False]
    assert sorted(m.to[0] for m in mail.outbox) == admin_emails(admin.company)
