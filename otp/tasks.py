"""The authorisation's sealed PDF, made by a worker right after the signature commits."""

import uuid

from celery import Task, shared_task
from django.db import OperationalError

from core.queueing import backoff_seconds
from otp import services


@shared_task(bind=True, acks_late=True, max_retries=5)
def authorisation_seal(self: Task, *, authorisation_id: str) -> str:
    try:
        authorisation = services.authorisation_seal(authorisation_id=uuid.UUID(authorisation_id))
    except OperationalError as error:
        raise self.retry(countdown=backoff_seconds(self.request.retries)) from error
    return authorisation.sealed_pdf
