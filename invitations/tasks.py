from celery import shared_task
from django.utils import timezone

from invitations import services


@shared_task
def invitations_expire() -> int:
    return services.invitations_expire(now=timezone.now())
