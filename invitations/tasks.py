import datetime

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from invitations import services
from portal.queueing import MAIL_FAILURES, backoff_seconds, enqueue, mail_task


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=settings.INVITATION_MAIL_MAX_RETRIES,
    soft_time_limit=settings.INVITATION_DISPATCH_SOFT_TIME_LIMIT,
    time_limit=settings.INVITATION_DISPATCH_TIME_LIMIT,
)
def dispatch_invitation(self: Task, *, invitation_id: int, chain: int | None = None) -> bool:
    try:
        return services.invitation_dispatch(
            invitation_id=invitation_id, now=timezone.now(), chain=chain
        )
    except MAIL_FAILURES as exc:
        now = timezone.now()
        if self.request.retries >= (self.max_retries or 0):
            services.invitation_mark_failed(invitation_id=invitation_id, now=now, chain=chain)
            return False
        countdown = backoff_seconds(self.request.retries)
        planned = services.invitation_dispatch_retry_planned(
            invitation_id=invitation_id,
            chain=chain,
            due_at=now + datetime.timedelta(seconds=countdown),
        )
        if not planned:
            return False  # sent, revoked or replaced by a newer chain in the meantime
        raise self.retry(exc=exc, countdown=countdown) from exc


@mail_task
def notify_inviter(*, invitation_id: int) -> bool:
    return services.notify_inviter_of_acceptance(invitation_id=invitation_id, now=timezone.now())


@shared_task
def expire_invitations() -> int:
    return services.invitations_expire(now=timezone.now())


def queue_dispatch(*, invitation_id: int, chain: int | None = None) -> None:
    """Queue the email after commit; if the broker is down, the sweep below queues it later."""
    enqueue(dispatch_invitation, swept=True, invitation_id=invitation_id, chain=chain)


@shared_task
def requeue_stalled_dispatches() -> int:
    return len(services.invitations_requeue_stalled(now=timezone.now()))
