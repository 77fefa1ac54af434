import logging
import smtplib

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from invitations import services

logger = logging.getLogger(__name__)


def backoff_seconds(retries: int) -> int:
    # 30 s, 1 min, 2 min, 4 min...: well under the broker's visibility timeout
    return min(settings.INVITATION_MAIL_RETRY_SECONDS * 2**retries, 1800)


@shared_task(bind=True, acks_late=True, max_retries=settings.INVITATION_MAIL_MAX_RETRIES)
def dispatch_invitation(self: Task, *, invitation_id: int) -> bool:
    try:
        return services.invitation_dispatch(invitation_id=invitation_id, now=timezone.now())
    except (smtplib.SMTPException, OSError) as exc:
        if self.request.retries >= (self.max_retries or 0):
            services.invitation_mark_failed(invitation_id=invitation_id, now=timezone.now())
            return False
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task(bind=True, acks_late=True, max_retries=settings.INVITATION_MAIL_MAX_RETRIES)
def notify_inviter(self: Task, *, invitation_id: int) -> None:
    try:
        services.notify_inviter_of_acceptance(invitation_id=invitation_id)
    except (smtplib.SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc


@shared_task
def expire_invitations() -> int:
    return services.invitations_expire(now=timezone.now())


def queue_dispatch(*, invitation_id: int) -> None:
    """Queue the email after commit; if the broker is down, the sweep below queues it later."""
    try:
        dispatch_invitation.delay(invitation_id=invitation_id)
    except Exception:
        logger.warning(
            "Invitation %s signed but not queued; the sweep will queue it.", invitation_id
        )


@shared_task
def requeue_stalled_dispatches() -> int:
    stalled = services.invitations_stalled(now=timezone.now())
    for invitation_id in stalled:
        dispatch_invitation.delay(invitation_id=invitation_id)
    return len(stalled)
