from django.utils import timezone

from client_requests import services
from portal.queueing import mail_task


@mail_task
def notify_status_change(*, status_change_id: int) -> int:
    return services.status_change_notify(status_change_id=status_change_id, now=timezone.now())
