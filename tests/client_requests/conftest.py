"""Fixtures for the request pipeline: tasks run in this process, and small valid files."""

from collections.abc import Iterator
from typing import Any

import pytest

from portal.celery import app
from tests.client_requests.factories import jpeg_bytes, pdf_bytes, png_bytes


@pytest.fixture
def eager_tasks(settings: Any) -> Iterator[None]:
    """Tasks queued on commit run in this process (the real worker has its own test)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # Celery's own configuration wins over Django's settings once a test has set it directly
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)


@pytest.fixture
def pdf() -> bytes:
    return pdf_bytes()


@pytest.fixture
def png() -> bytes:
    return png_bytes()


@pytest.fixture
def jpeg() -> bytes:
    return jpeg_bytes()
