"""Fixtures for the attack tests: in-memory SMS emptied around each test, tasks on demand."""

import pytest

from core import sms
from portal.celery import app

# the browser tests here drive Debian's Chromium like those of tests/e2e
from tests.e2e.conftest import browser_context_args, browser_type_launch_args  # noqa: F401


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def eager_tasks(settings):
    """Tasks queued on commit run in this process."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)
