from celery import shared_task
from django.utils import timezone

from portal.queueing import enqueue, mail_task
from treasury import selectors, services


@mail_task
def send_low_balance_alert(*, alert_id: int) -> bool:
    return services.low_balance_alert_send(alert_id=alert_id, today=timezone.localdate())


@shared_task
def check_low_balance_alerts() -> int:
    """Daily (beat): one task per alert that may need telling; each is idempotent for the day."""
    alert_ids = selectors.alerts_due(today=timezone.localdate())
    for alert_id in alert_ids:
        enqueue(send_low_balance_alert, alert_id=alert_id)
    return len(alert_ids)
