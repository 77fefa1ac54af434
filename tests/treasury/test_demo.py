import datetime

import pytest

from treasury.demo import load_demo_treasury
from treasury.models import BankAccount, CashFlow, TreasurySubscription

pytestmark = pytest.mark.django_db


def test_loads_two_accounts_about_twenty_flows_and_an_active_subscription(company, today):
    load_demo_treasury(company, today=today)
    load_demo_treasury(company, today=today)

    assert BankAccount.objects.filter(company=company).count() == 2
    flows = CashFlow.objects.filter(company=company)
    assert 18 <= flows.count() <= 25
    assert all(today < flow.flow_date <= today + datetime.timedelta(days=90) for flow in flows)
    assert TreasurySubscription.objects.get(company=company).is_active_on(today)
