"""How a person's request hands work to Celery, and how tasks wait before trying again.

The broker (Redis) may be down when a request commits: the person must still get their page, and
the work must still happen, in this process at once or later through a sweep.
"""

import functools
import inspect
import logging
import smtplib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# what a mail server does when it fails: refuse, drop the connection, stop answering
MAIL_FAILURES = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)

R = TypeVar("R")


def backoff_seconds(retries: int) -> int:
    """30 s, 1 min, 2 min, 4 min...: always well under the broker's visibility timeout."""
    return int(min(settings.TASK_RETRY_SECONDS * 2**retries, settings.TASK_RETRY_MAX_SECONDS))


def _ids(kwargs: dict[str, Any]) -> str:
    # ids only: emails and phone numbers stay out of the logs
    return ", ".join(f"{key}={value}" for key, value in kwargs.items() if isinstance(value, int))


def enqueue(task: Task, /, *, swept: bool = False, **kwargs: Any) -> None:
    """Queue `task`; if the broker refuses, run it here (or, `swept`, leave it to its sweep)."""
    try:
        task.delay(**kwargs)
    except Exception:
        if swept:
            logger.warning("%s (%s) not queued; its sweep will queue it.", task.name, _ids(kwargs))
            return
        logger.warning("%s (%s) not queued; running it here.", task.name, _ids(kwargs))
        try:
            # called directly, a task runs once here: its retry re-raises instead of publishing
            task(**kwargs)
        except Exception:
            logger.exception("%s (%s) failed in this process.", task.name, _ids(kwargs))


def enqueue_on_commit(task: Task, /, *, swept: bool = False, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(partial(enqueue, task, swept=swept, **kwargs))


def mail_task(send: Callable[..., R]) -> Task[Any, R]:
    """A Celery task around one service call that sends mail: acknowledged once done, time-limited,
    retried with backoff when the mail server fails. It keeps the function's name and arguments."""

    @functools.wraps(send)
    def run(self: Task[Any, R], **kwargs: Any) -> R:
        try:
            return send(**kwargs)
        except MAIL_FAILURES as exc:
            raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc

    # Celery checks a call's arguments against this: the service call's, after `self`
    signature = inspect.signature(send)
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    run.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[self_parameter, *signature.parameters.values()]
    )
    task: Task[Any, R] = shared_task(
        bind=True,
        acks_late=True,
        max_retries=settings.INVITATION_MAIL_MAX_RETRIES,
        soft_time_limit=settings.INVITATION_DISPATCH_SOFT_TIME_LIMIT,
        time_limit=settings.INVITATION_DISPATCH_TIME_LIMIT,
    )(run)
    return task
