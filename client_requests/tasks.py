import smtplib

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from client_requests import services
from portal.queueing import backoff_seconds

# what a mail server does when it fails: refuse, drop the connection, stop answering
MAIL_FAILURES = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=settings.INVITATION_MAIL_MAX_RETRIES,
    soft_time_limit=settings.INVITATION_DISPATCH_SOFT_TIME_LIMIT,
    time_limit=settings.INVITATION_DISPATCH_TIME_LIMIT,
)
def notify_status_change(self: Task, *, status_change_id: int) -> int:
    try:
        return services.status_change_notify(status_change_id=status_change_id, now=timezone.now())
    except MAIL_FAILURES as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
