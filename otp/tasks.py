import smtplib

from celery import Task, shared_task
from django.conf import settings

from otp import limits
from portal.queueing import backoff_seconds


@shared_task(bind=True, acks_late=True, max_retries=settings.INVITATION_MAIL_MAX_RETRIES)
def notify_signing_locked(self: Task, *, user_id: int) -> None:
    try:
        limits.signing_locked_notify(user_id=user_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
