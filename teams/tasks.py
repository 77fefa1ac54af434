from celery import shared_task
from django.utils import timezone

from teams import services


@shared_task
def grants_expire() -> int:
    return services.grants_expire(now=timezone.now())


@shared_task
def grant_end_notices_send() -> int:
    return services.grant_end_notices_send(now=timezone.now())
