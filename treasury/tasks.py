from celery import shared_task
from django.utils import timezone

from treasury import services


@shared_task
def low_balance_alerts_check() -> int:
    """Daily (beat): "today" is Paris's; each alert is told at most once a day."""
    return services.low_balance_alerts_check(today=timezone.localdate(), now=timezone.now())
