"""Guessing invitation links: after a few unknown tokens from one address, that address waits, with
the login's growing delay. The 256-bit token makes guessing hopeless; this keeps the logs and the
load down. Without Redis the limit is skipped (logged), as the login's is."""

import logging

from django.conf import settings

from accounts import login_throttle
from core import ratelimit

logger = logging.getLogger(__name__)


def _key(ip_address: str) -> str:
    return f"invitation-link:ip:{ip_address}"


def wait_seconds(*, ip_address: str | None) -> int:
    if not ip_address:
        return 0
    try:
        return ratelimit.blocked_for(_key(ip_address))
    except ratelimit.RateLimitUnavailable:
        logger.warning("Invitation link limit skipped: Redis unavailable.")
        return 0


def unknown_token_record(*, ip_address: str | None) -> None:
    if not ip_address:
        return
    try:
        failures = ratelimit.streak(
            _key(ip_address), quiet_seconds=settings.LOGIN_FAILURE_QUIET_SECONDS
        )
        if seconds := login_throttle.delay(
            failures, settings.INVITATION_LINK_FAILURES_BEFORE_DELAY
        ):
            ratelimit.block(_key(ip_address), seconds=seconds)
    except ratelimit.RateLimitUnavailable:
        logger.warning("Unknown invitation link not counted: Redis unavailable.")
