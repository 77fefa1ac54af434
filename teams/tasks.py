from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from invitations.tasks import MAIL_FAILURES
from portal.queueing import backoff_seconds
from teams import services


@shared_task(bind=True, acks_late=True, max_retries=settings.INVITATION_MAIL_MAX_RETRIES)
def notify_member_of_rights(self: Task, *, change_id: int) -> bool:
    try:
        return services.rights_change_notify_member(change_id=change_id, now=timezone.now())
    except MAIL_FAILURES as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=settings.INVITATION_MAIL_MAX_RETRIES)
def notify_admins_of_money_rights(self: Task, *, change_id: int) -> int:
    try:
        return services.rights_change_notify_admins(change_id=change_id, now=timezone.now())
    except MAIL_FAILURES as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
