from celery import shared_task
from django.utils import timezone

from reviews import services


@shared_task
def access_reviews_open() -> int:
    return services.access_reviews_open(now=timezone.now())


@shared_task
def access_review_reminders_send() -> int:
    return services.access_review_reminders_send(now=timezone.now())
