"""Password reset: the page answers the same way, in the same time, whether an account exists or not.

The request only writes the typed email in the outbox; the account is looked up, and the link made,
when the email leaves (password_reset_render). A few requests an hour per email and per address are
taken; the others are dropped silently (the page still says the same thing), so the form cannot be
used to flood a mailbox.
"""

import hashlib
import logging
import uuid
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.utils import timezone

from core import outbox, ratelimit
from core.mail import RenderedEmail, email_render
from core.models import Message

logger = logging.getLogger(__name__)

HOUR = 3600
# the outbox renderer that makes the email when it leaves: the link is never stored
RENDERER = "password_reset"


class _PasswordResetMail(PasswordResetForm):
    """Renders the email instead of sending it: the outbox sends what it made."""

    rendered: list[RenderedEmail]

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        self.rendered.append(
            email_render(
                subject=loader.render_to_string(subject_template_name, context),
                template=email_template_name.removesuffix(".txt"),
                context=context,
            )
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
    if not _allowed(email=email, ip_address=ip_address):
        logger.info("Password reset dropped: too many requests.")
        return
    # one row whether an account exists or not: the broker down, the sweep sends it later
    outbox.email_queue_rendered_at_delivery(
        key=f"portal.password_reset:{uuid.uuid4().hex}",
        to=email.strip(),
        renderer=RENDERER,
        now=timezone.now(),
    )


def password_reset_render(message: Message) -> RenderedEmail | None:
    """The reset email of the active account with this address, its link made now; None if
    there is no such account (the outbox then cancels the message)."""
    form = _PasswordResetMail(data={"email": message.to})
    form.rendered = []
    if not form.is_valid():
        return None
    base = urlsplit(settings.PORTAL_BASE_URL)
    form.save(
        domain_override=base.netloc,
        use_https=base.scheme == "https",
        subject_template_name="accounts/password_reset_subject.txt",
        email_template_name="accounts/password_reset_email.txt",
        html_email_template_name="accounts/password_reset_email.html",
        extra_email_context={
            "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
            "bank_name": settings.BANK_NAME,  # the subject is rendered outside core.mail.email_render
        },
    )
    return form.rendered[0] if form.rendered else None
