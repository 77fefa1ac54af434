"""A growing delay after failed logins, per account and per address, shared by every process.

The account is the email as typed, whether or not it has an account: an unknown email is slowed
down exactly like a known one, so the delay never tells whether an email exists. Without Redis
the throttle is skipped (logged), so that nobody is locked out of the portal.
"""

import hashlib
import logging

from django.conf import settings
from django.utils.translation import gettext as _

from core import ratelimit

logger = logging.getLogger(__name__)


def _subjects(*, email: str, ip_address: str | None) -> list[tuple[str, int]]:
    """(key, failures allowed before a delay) for the account and the address."""
    # the email is hashed: keys must not keep the addresses people typed
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    subjects = [(f"login:email:{digest}", settings.LOGIN_FAILURES_BEFORE_DELAY)]
    if ip_address:
        subjects.append((f"login:ip:{ip_address}", settings.LOGIN_IP_FAILURES_BEFORE_DELAY))
    return subjects


def delay(failures: int, free: int) -> int:
    """Seconds to wait after `failures` in a row: none before `free`, then 1 min, 2, 4... capped."""
    if failures < free:
        return 0
    doubled = settings.LOGIN_FIRST_DELAY_SECONDS * 2 ** min(failures - free, 20)
    return int(min(doubled, settings.LOGIN_MAX_DELAY_SECONDS))


def wait_seconds(*, email: str, ip_address: str | None) -> int:
    """How long this attempt must wait before a password is even checked (0: go ahead)."""
    try:
        return max(
            ratelimit.blocked_for(key)
            for key, _free in _subjects(email=email, ip_address=ip_address)
        )
    except ratelimit.RateLimitUnavailable:
        logger.warning("Login throttle skipped: Redis unavailable.")
        return 0


def failure_record(*, email: str, ip_address: str | None) -> None:
    try:
        for key, free in _subjects(email=email, ip_address=ip_address):
            failures = ratelimit.streak(key, quiet_seconds=settings.LOGIN_FAILURE_QUIET_SECONDS)
            if seconds := delay(failures, free):
                ratelimit.block(key, seconds=seconds)
    except ratelimit.RateLimitUnavailable:
        logger.warning("Login failure not counted: Redis unavailable.")


def success_record(*, email: str) -> None:
    """The account's streak ends; the address keeps its own (one good password opens no door)."""
    try:
        key, _free = _subjects(email=email, ip_address=None)[0]
        ratelimit.streak_clear(key)
    except ratelimit.RateLimitUnavailable:
        logger.warning("Login success not recorded: Redis unavailable.")


def message(seconds: int) -> str:
    """ "Trop de tentatives. Réessayez dans 2 minutes." """
    return _("Trop de tentatives. %(retry)s") % {"retry": ratelimit.retry_message(seconds)}
