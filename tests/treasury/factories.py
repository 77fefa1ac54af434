import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.factories import CompanyFactory, UserFactory
from treasury.models import (
    BankAccount,
    CashFlow,
    FlowCategory,
    LowBalanceAlert,
    TreasurySubscription,
)

TODAY = datetime.date(2026, 3, 2)


class BankAccountFactory(DjangoModelFactory[BankAccount]):
    class Meta:
        model = BankAccount

    company = factory.SubFactory(CompanyFactory)
    label = factory.Sequence(lambda n: f"Compte courant {n}")
    number_end = factory.Sequence(lambda n: f"{n % 10000:04d}")
    balance = Decimal("10000.00")
    balance_date = TODAY


class CashFlowFactory(DjangoModelFactory[CashFlow]):
    class Meta:
        model = CashFlow

    company = factory.SubFactory(CompanyFactory)
    flow_date = TODAY + datetime.timedelta(days=3)
    label = "Règlement client"
    amount = Decimal("1000.00")
    category = FlowCategory.RECEIPT


class TreasurySubscriptionFactory(DjangoModelFactory[TreasurySubscription]):
    class Meta:
        model = TreasurySubscription

    company = factory.SubFactory(CompanyFactory)
    active_until = TODAY + datetime.timedelta(days=365)


class LowBalanceAlertFactory(DjangoModelFactory[LowBalanceAlert]):
    class Meta:
        model = LowBalanceAlert

    company = factory.SubFactory(CompanyFactory)
    threshold = Decimal("5000.00")
    recipient = factory.SubFactory(UserFactory)
    enabled = True
