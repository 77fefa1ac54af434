from celery import shared_task
from django.utils import timezone

from invitations import services


@shared_task
def invitations_expire() -> int:
    return services.invitations_expire(now=timezone.now())


@shared_task
def invitation_reminders_send() -> int:
    return services.invitation_reminders_send(now=timezone.now())


@shared_task
def invitation_expiry_notices_send() -> int:
    return services.invitation_expiry_notices_send(now=timezone.now())
