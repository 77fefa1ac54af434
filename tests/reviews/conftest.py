"""Fixtures for the access review: in-memory SMS."""

import pytest
from django.test import Client

from core import sms
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def support_client():
    """A support agent of the bank, logged in to the Django admin."""
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client
