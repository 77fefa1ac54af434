import smtplib

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from portal.queueing import backoff_seconds, enqueue
from treasury import selectors, services

# what a mail server does when it fails: refuse, drop the connection, stop answering
MAIL_FAILURES = (smtplib.SMTPException, OSError, SoftTimeLimitExceeded)


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=settings.INVITATION_MAIL_MAX_RETRIES,
    soft_time_limit=settings.INVITATION_DISPATCH_SOFT_TIME_LIMIT,
    time_limit=settings.INVITATION_DISPATCH_TIME_LIMIT,
)
def send_low_balance_alert(self: Task, *, alert_id: int) -> bool:
    try:
        return services.low_balance_alert_send(alert_id=alert_id, today=timezone.localdate())
    except MAIL_FAILURES as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task
def check_low_balance_alerts() -> int:
    """Daily (beat): one task per alert that may need telling; each is idempotent for the day."""
    alert_ids = selectors.alerts_due(today=timezone.localdate())
    for alert_id in alert_ids:
        enqueue(send_low_balance_alert, alert_id=alert_id)
    return len(alert_ids)
