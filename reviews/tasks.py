"""The review's daily jobs, and its sealed PDF made by a worker right after the signature."""

from celery import Task, shared_task
from django.db import OperationalError
from django.utils import timezone

from core.queueing import backoff_seconds
from reviews import services


@shared_task
def access_reviews_open() -> int:
    return services.access_reviews_open(now=timezone.now())


@shared_task
def access_review_reminders_send() -> int:
    return services.access_review_reminders_send(now=timezone.now())


@shared_task(bind=True, acks_late=True, max_retries=5)
def review_pdf_store(self: Task, *, review_id: int) -> str:
    try:
        review = services.review_pdf_store(review_id=review_id)
    except OperationalError as error:
        raise self.retry(countdown=backoff_seconds(self.request.retries)) from error
    return review.pdf
