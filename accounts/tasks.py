import datetime
import smtplib

from celery import Task, shared_task

from accounts import password_reset, services
from otp.sms import SmsNotSent
from portal.queueing import backoff_seconds


@shared_task(bind=True, acks_late=True, max_retries=5)
def warn_previous_mobile(self: Task, *, previous_mobile: str, changed_at: str) -> None:
    try:
        services.mobile_change_warn(
            previous_mobile=previous_mobile,
            changed_at=datetime.datetime.fromisoformat(changed_at),
        )
    except SmsNotSent as exc:
        # the warning matters, the provider may be back soon
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=5)
def send_password_reset(self: Task, *, email: str) -> None:
    try:
        password_reset.password_reset_send(email=email)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
