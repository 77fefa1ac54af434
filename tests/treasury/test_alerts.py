"""The daily low-balance alert: one email a day when the forecast goes under the threshold."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from companies.models import MembershipStatus
from permissions.catalogue import Right
from tests.outbox import deliver
from tests.treasury.factories import (
    BankAccountFactory,
    CashFlowFactory,
    LowBalanceAlertFactory,
    TreasurySubscriptionFactory,
)
from treasury import tasks
from treasury.models import FlowCategory, LowBalanceAlert
from treasury.selectors import alerts_due
from treasury.services import low_balance_alert_send, low_balance_alerts_check

pytestmark = pytest.mark.django_db


def send(alert, today) -> bool:
    """Check the alert for `today`, then deliver what it wrote in the outbox."""
    queued = low_balance_alert_send(alert_id=alert.pk, today=today, now=timezone.now())
    deliver()
    return queued


@pytest.fixture
def falling_treasury(no_contracts, today):
    """20 000 € today, 12 000 € of salaries in 8 days: 8 000 € from then on."""
    BankAccountFactory.create(company=no_contracts, balance=Decimal("20000"))
    CashFlowFactory.create(
        company=no_contracts,
        flow_date=today + datetime.timedelta(days=8),
        label="Salaires",
        amount=Decimal("-12000"),
        category=FlowCategory.PAYROLL,
    )
    return no_contracts


@pytest.fixture
def alert(falling_treasury, treasurer, subscription) -> LowBalanceAlert:
    return LowBalanceAlertFactory.create(
        company=falling_treasury, recipient=treasurer.user, threshold=Decimal("10000")
    )


def test_emails_the_recipient_when_the_forecast_goes_under_the_threshold(alert, today):
    assert send(alert, today) is True

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [alert.recipient.email]
    assert "passe sous votre seuil" in message.subject
    assert "10\xa0000,00 €" in message.body
    assert "10 mars 2026" in message.body
    assert "/tresorerie/" in message.body


def test_sends_once_a_day_however_often_it_runs(alert, today):
    send(alert, today)
    second = send(alert, today)

    assert second is False
    assert len(mail.outbox) == 1
    alert.refresh_from_db()
    assert alert.last_sent_for == today
    assert (
        AuditEvent.objects.filter(action=Action.TREASURY_ALERT_SENT, company=alert.company).count()
        == 1
    )


def test_tells_again_the_next_day_if_still_under(alert, today):
    send(alert, today)

    assert send(alert, today + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2


def test_the_daily_check_sends_once_when_run_twice(alert, today):
    assert low_balance_alerts_check(today=today, now=timezone.now()) == 1
    assert low_balance_alerts_check(today=today, now=timezone.now()) == 0
    deliver()

    assert len(mail.outbox) == 1


def test_the_daily_check_runs_as_a_task():
    assert tasks.low_balance_alerts_check.apply().get() == 0


def test_sends_nothing_while_the_forecast_stays_above_the_threshold(alert, today):
    alert.threshold = Decimal("5000")
    alert.save()

    assert send(alert, today) is False
    assert mail.outbox == []


def test_sends_nothing_for_a_disabled_alert(alert, today):
    alert.enabled = False
    alert.save()

    assert send(alert, today) is False
    assert mail.outbox == []


def test_sends_nothing_once_the_subscription_has_ended(alert, subscription, today):
    subscription.active_until = today - datetime.timedelta(days=1)
    subscription.save()

    assert send(alert, today) is False
    assert mail.outbox == []


def test_sends_nothing_to_a_member_who_lost_the_right(alert, treasurer, today):
    treasurer.grants.filter(right=Right.TREASURY).delete()

    assert send(alert, today) is False
    assert mail.outbox == []


def test_sends_nothing_to_a_suspended_member(alert, treasurer, today):
    treasurer.status = MembershipStatus.SUSPENDED
    treasurer.save()

    assert send(alert, today) is False
    assert mail.outbox == []


def test_the_daily_check_lists_only_alerts_that_may_need_telling(alert, other_company, today):
    sent_today = LowBalanceAlertFactory.create(last_sent_for=today)
    TreasurySubscriptionFactory.create(company=sent_today.company)
    LowBalanceAlertFactory.create(enabled=False)
    LowBalanceAlertFactory.create(company=other_company)  # no subscription

    assert alerts_due(today=today) == [alert.pk]


def test_a_new_threshold_may_be_told_the_same_day(alert, treasurer, today, treasurer_client):
    send(alert, today)

    treasurer_client.post(
        reverse("treasury:alert", args=[alert.company.pk]),
        {"threshold": "12000", "enabled": "on"},
    )

    assert send(alert, today) is True
    assert len(mail.outbox) == 2
