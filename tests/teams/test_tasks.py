import pytest
from django.core import mail
from teams.tasks import notify_admins_of_money_rights

from permissions.catalogue import Right
from teams.models import Role
from tests.factories import MembershipFactory
from tests.mail_backends import SECOND_MESSAGE_FAILS_ONCE, SecondMessageFailsOnce
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


def test_a_mail_failure_on_the_second_administrator_emails_each_one_once(
    admin, money_right_granted, settings, monkeypatch
):
    settings.EMAIL_BACKEND = SECOND_MESSAGE_FAILS_ONCE
    monkeypatch.setattr(SecondMessageFailsOnce, "attempts", 0)

    notify_admins_of_money_rights.apply(kwargs={"change_id": money_right_granted.pk})

    assert SecondMessageFailsOnce.attempts == 3
    assert sorted(m.to[0] for m in mail.outbox) == admin_emails(admin.company)


def test_the_administrators_are_emailed_once_when_the_task_runs_twice(admin, money_right_granted):
    notify_admins_of_money_rights.apply(kwargs={"change_id": money_right_granted.pk})
    second = notify_admins_of_money_rights.apply(kwargs={"change_id": money_right_granted.pk})

    assert second.get() == 0
    assert sorted(m.to[0] for m in mail.outbox) == admin_emails(admin.company)
