"""How work is handed to Celery, and how a task waits before trying again.

The broker (Redis) may be down when a request commits: the person must still get their page, and
the work must still happen, later, through a sweep. Nothing here runs a task in the request.
"""

import logging
from typing import Any

from celery import current_app
from django.conf import settings

logger = logging.getLogger(__name__)


def backoff_seconds(retries: int) -> int:
    """30 s, 1 min, 2 min, 4 min...: always well under the broker's visibility timeout."""
    return int(min(settings.TASK_RETRY_SECONDS * 2**retries, settings.TASK_RETRY_MAX_SECONDS))


def _ids(kwargs: dict[str, Any]) -> str:
    # ids only: emails and phone numbers stay out of the logs
    return ", ".join(f"{key}={value}" for key, value in kwargs.items() if isinstance(value, int))


def publish(task_name: str, /, *, priority: int | None = None, **kwargs: Any) -> bool:
    """Queue the task named `task_name`; False, logged, if the broker refused (a sweep queues it).

    By name: a service schedules a task without importing its module (tasks import services).
    `priority` on Redis: 0 (the default) is served first, 9 last.
    """
    options: dict[str, Any] = {} if priority is None else {"priority": priority}
    try:
        current_app.signature(task_name, kwargs=kwargs).apply_async(**options)
    except Exception:
        logger.warning("%s (%s) not queued; its sweep will queue it.", task_name, _ids(kwargs))
        return False
    return True
