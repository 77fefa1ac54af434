"""Fixtures for the access review: in-memory SMS."""

import pytest

from core import sms


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()
