"""The sealed PDF of a new authorisation, produced right after its signature commits."""

import uuid

from celery import shared_task

from otp.services.sealing import authorisation_seal as seal


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=30, max_retries=5)
def authorisation_seal(*, authorisation_id: str) -> str:
    # idempotent: an authorisation already sealed is left as it is
    return seal(authorisation_id=uuid.UUID(authorisation_id)).sealed_pdf
