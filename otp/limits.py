"""What bounds an administrator's signing: the SMS budget (Redis) and the wrong-code lock (PostgreSQL).

The SMS budget is shared by every process through the cache; the lock lives on the user's row, so
that checking a code never needs Redis.
"""

from __future__ import annotations

import datetime
import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.reasons import reason_clean, reason_refusal
from audit.services import audit_record
from core import outbox, ratelimit
from core.ratelimit import Decision

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

logger = logging.getLogger(__name__)


def _sms_windows() -> list[tuple[int, int]]:
    """(limit, window in seconds) of every SMS budget of one administrator."""
    return [
        (settings.SMS_PER_ADMIN_PER_10_MINUTES, 10 * 60),
        (settings.SMS_PER_ADMIN_PER_DAY, 24 * 3600),
    ]


def _sms_key(signer: User) -> str:
    return f"sms:user:{signer.pk}"


def sms_budget_peek(*, signer: User, now: datetime.datetime) -> Decision:
    """Whether one more SMS may go to this signer now, counting nothing."""
    decisions = [
        ratelimit.peek(_sms_key(signer), limit=limit, window_seconds=window, now=now)
        for limit, window in _sms_windows()
    ]
    if refusals := [decision for decision in decisions if not decision.allowed]:
        return Decision(False, max(d.retry_after_seconds for d in refusals))
    return Decision(True)


def sms_budget_take(*, signer: User, now: datetime.datetime) -> Decision:
    """Count one SMS in every window; if any window is full, count nothing and refuse."""
    counted: list[int] = []
    refused: list[Decision] = []
    try:
        for limit, window in _sms_windows():
            decision = ratelimit.hit(_sms_key(signer), limit=limit, window_seconds=window, now=now)
            counted.append(window)
            if not decision.allowed:
                refused.append(decision)
    except ratelimit.RateLimitUnavailable:
        _give_back(signer, counted, now)
        raise
    if refused:
        _give_back(signer, counted, now)
        return Decision(False, max(d.retry_after_seconds for d in refused))
    return Decision(True)


def sms_budget_return(*, signer: User, now: datetime.datetime) -> None:
    """Take back an SMS counted by sms_budget_take (same `now`) that the provider did not send."""
    _give_back(signer, [window for _limit, window in _sms_windows()], now)


def _give_back(signer: User, windows: list[int], now: datetime.datetime) -> None:
    for window in windows:
        try:
            ratelimit.undo(_sms_key(signer), window_seconds=window, now=now)
        except ratelimit.RateLimitUnavailable:
            logger.warning(
                "An SMS not sent could not be taken back from the budget of %s.", signer.pk
            )


def signing_is_locked(*, signer: User, for_update: bool = False) -> bool:
    """`for_update`: hold the signer's row until the transaction ends (checking a code)."""
    users = get_user_model().objects.filter(pk=signer.pk)
    if for_update:
        users = users.select_for_update()
    locked_at = users.values_list("signing_locked_at", flat=True).first()
    return locked_at is not None


def wrong_code_record(*, signer: User, now: datetime.datetime) -> bool:
    """Count a wrong code in the signer's streak; True when this one locks signing.

    Runs inside the caller's transaction, which commits (a wrong code is not an exception).
    """
    # lock: simultaneous wrong codes must each be counted
    user = get_user_model().objects.select_for_update().get(pk=signer.pk)
    user.consecutive_wrong_codes += 1
    locks_now = (
        user.signing_locked_at is None
        and user.consecutive_wrong_codes >= settings.SIGNING_MAX_WRONG_CODES_IN_A_ROW
    )
    if locks_now:
        user.signing_locked_at = now
    user.save(update_fields=["consecutive_wrong_codes", "signing_locked_at"])
    if locks_now:
        audit_record(
            action=Action.SIGNING_LOCKED,
            actor=user,
            target=user,
            data={"consecutive_wrong_codes": user.consecutive_wrong_codes},
        )
        _signing_locked_notice_queue(user, now=now)
    return locks_now


def right_code_record(*, signer: User) -> None:
    """A right code ends the streak of wrong ones."""
    get_user_model().objects.filter(pk=signer.pk, consecutive_wrong_codes__gt=0).update(
        consecutive_wrong_codes=0
    )


class SigningUnlockRefused(Exception):
    """Support gave no reason (of a few words) to unlock a signature."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@transaction.atomic
def signing_unlock(
    *, user_id: int, actor: User | AnonymousUser, ip_address: str | None, reason: str
) -> bool:
    """Support lets an administrator sign again, saying why; False if signing was not locked."""
    if refusal := reason_refusal(reason):
        raise SigningUnlockRefused(refusal)
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    if user.signing_locked_at is None and user.consecutive_wrong_codes == 0:
        return False
    was_locked_at = user.signing_locked_at
    user.signing_locked_at = None
    user.consecutive_wrong_codes = 0
    user.save(update_fields=["consecutive_wrong_codes", "signing_locked_at"])
    audit_record(
        action=Action.SIGNING_UNLOCKED,
        actor=actor,
        target=user,
        ip_address=ip_address,
        data={
            "locked_at": was_locked_at.isoformat() if was_locked_at else None,
            "reason": reason_clean(reason),
        },
    )
    return True


def _signing_locked_notice_queue(user: User, *, now: datetime.datetime) -> None:
    """Email the administrator that signing is locked and that support can unlock it."""
    outbox.email_queue(
        key=f"otp.signing_locked:{user.pk}:{now.isoformat()}",
        to=user.email,
        subject=_("%(bank)s · Mes équipes : votre signature par SMS est bloquée")
        % {"bank": settings.BANK_NAME},
        template="otp/email/signing_locked",
        context={
            "user": user,
            "locked_at": user.signing_locked_at,
            "wrong_codes": settings.SIGNING_MAX_WRONG_CODES_IN_A_ROW,
            "support": settings.SUPPORT_CONTACT,
        },
        about=user,
        now=now,
    )
