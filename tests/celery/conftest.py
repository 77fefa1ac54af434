"""A real Celery worker, in a thread of this process, consuming this run's queue on Redis."""

import threading
from dataclasses import dataclass, field
from typing import Any

import celery.contrib.testing.tasks  # noqa: F401  registers celery.ping for the worker
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.conf import settings

from portal.celery import app
from tests.reliability.conftest import (  # noqa: F401  real worker processes on a private Redis
    private_broker,
    start_worker_process,
)


@dataclass
class TaskLog:
    """What went through the broker and what the worker ran, as seen by Celery's signals."""

    published: list[dict[str, Any]] = field(default_factory=list)
    started_in: list[int] = field(default_factory=list)
    finished: list[tuple[str, Any, Any]] = field(default_factory=list)

    def on_publish(
        self, sender: str, body: Any, headers: dict[str, Any], routing_key: str, **_: Any
    ) -> None:
        self.published.append(
            {"task": sender, "body": body, "headers": dict(headers), "routing_key": routing_key}
        )

    def on_prerun(self, **kwargs: Any) -> None:
        self.started_in.append(threading.get_ident())

    def on_postrun(self, sender: Any, kwargs: dict[str, Any], retval: Any, **_: Any) -> None:
        self.finished.append((sender.name, kwargs, retval))

    def clear(self) -> None:
        self.published.clear()
        self.started_in.clear()
        self.finished.clear()


# module, not session: a worker left consuming this run's queue would take the messages that later
# tests of the same process read from Redis (tests/security/test_secrets.py)
@pytest.fixture(scope="module")
def celery_worker():
    assert app.conf.task_default_queue == settings.CELERY_TASK_DEFAULT_QUEUE
    assert not app.conf.task_always_eager
    with pytest.MonkeyPatch.context() as patch:
        # the worker must not take over the test run's logging
        patch.setitem(app.conf, "worker_hijack_root_logger", False)
        # no result backend here (none in production either): readiness is the consumer's
        with start_worker(
            app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            queues=[settings.CELERY_TASK_DEFAULT_QUEUE],
            shutdown_timeout=15,
        ) as worker:
            yield worker
    with app.connection() as connection:
        connection.default_channel.queue_delete(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture
def task_log(celery_worker):
    log = TaskLog()
    before_task_publish.connect(log.on_publish, weak=False)
    task_prerun.connect(log.on_prerun, weak=False)
    task_postrun.connect(log.on_postrun, weak=False)
    yield log
    before_task_publish.disconnect(log.on_publish)
    task_prerun.disconnect(log.on_prerun)
    task_postrun.disconnect(log.on_postrun)
