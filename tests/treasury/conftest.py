"""The treasury section's actors: a member holding the right, a subscribed company, a fixed day.

The pages read `timezone.localdate()`; these tests pin it to TODAY so the forecast is known.
"""

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from companies.models import Company, Contract, Membership
from permissions.catalogue import Right
from tests.treasury.factories import TODAY, TreasurySubscriptionFactory
from treasury.models import TreasurySubscription


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> datetime.date:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def no_contracts(company: Company) -> Company:
    """The shared company without its contracts, so a forecast holds only the flows a test adds."""
    Contract.objects.filter(company=company).delete()
    return company


@pytest.fixture
def treasurer(collaborator_with: Callable[..., Membership]) -> Membership:
    return collaborator_with(Right.TREASURY)


@pytest.fixture
def treasurer_client(treasurer: Membership, client_for: Callable[[User], Client]) -> Client:
    return client_for(treasurer.user)


@pytest.fixture
def subscription(company: Company, today: datetime.date) -> TreasurySubscription:
    return TreasurySubscriptionFactory.create(
        company=company, active_until=today + datetime.timedelta(days=30)
    )
