"""Fixtures for the access review: in-memory SMS, tasks run in-process on demand."""

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


@pytest.fixture
def eager_tasks(settings):
    """Tasks queued on commit run in this process."""
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)
