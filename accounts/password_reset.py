"""Password reset: the page answers the same way, in the same time, whether an account exists or not.

The request only queues a task with the typed email; the worker looks the account up and mails the
link. A few requests an hour per email and per address are taken; the others are dropped silently
(the page still says the same thing), so the form cannot be used to flood a mailbox.
"""

import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader

from portal import ratelimit
from portal.mail import send_templated_email
from portal.queueing import enqueue

logger = logging.getLogger(__name__)

HOUR = 3600


class _PasswordResetMail(PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # unlike Django's, a failure is raised: the task retries it
        send_templated_email(
            to=to_email,
            subject=loader.render_to_string(subject_template_name, context),
            template=email_template_name.removesuffix(".txt"),
            context=context,
        )


def _allowed(*, email: str, ip_address: str | None) -> bool:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    rules = [(f"reset:email:{digest}", settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR)]
    if ip_address:
        rules.append((f"reset:ip:{ip_address}", settings.PASSWORD_RESETS_PER_IP_PER_HOUR))
    try:
        return all(
            ratelimit.hit(key, limit=limit, window_seconds=HOUR).allowed for key, limit in rules
        )
    except ratelimit.RateLimitUnavailable:
        logger.warning("Password reset not throttled: Redis unavailable.")
        return True


def password_reset_request(*, email: str, ip_address: str | None) -> None:
    """Queue the reset email; the caller shows the same page whatever happens here."""
    from accounts.tasks import send_password_reset

    if not _allowed(email=email, ip_address=ip_address):
        logger.info("Password reset dropped: too many requests.")
        return
    # the broker may be down: the email is then sent from this process
    enqueue(send_password_reset, email=email)


def password_reset_send(*, email: str) -> None:
    """Mail a reset link to the active account with this email, if there is one."""
    form = _PasswordResetMail(data={"email": email})
    if not form.is_valid():
        return
    base = urlsplit(settings.PORTAL_BASE_URL)
    form.save(
        domain_override=base.netloc,
        use_https=base.scheme == "https",
        subject_template_name="accounts/password_reset_subject.txt",
        email_template_name="accounts/password_reset_email.txt",
        html_email_template_name="accounts/password_reset_email.html",
        extra_email_context={
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "bank_name": settings.BANK_NAME,  # the subject is rendered outside send_templated_email
        },
    )
