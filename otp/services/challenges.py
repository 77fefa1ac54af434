"""A challenge, its code and its SMS: who may be sent a code, when, and how often.

The code is never stored: it is an HOTP value of a per-challenge seed derived from the server
secret, the challenge and the payload digest, so a code is only ever valid for one content.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pyotp
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from core import outbox, ratelimit
from core.sms import send_sms
from otp import limits
from otp.models import LOGIN_PURPOSE, ChallengeStatus, SignatureChallenge
from otp.services.digests import mask_phone, payload_digest
from otp.services.exceptions import (
    ChallengeExpired,
    ChallengeLocked,
    ChallengeUsed,
    NoMobileNumber,
    ResendTooSoon,
    SignatureError,
    SigningLocked,
    SmsDeliveryFailed,
    SmsLimitReached,
    SmsServiceUnavailable,
    TooManySends,
)

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User


def signer_refusal(*, signer: User) -> SignatureError | None:
    """Why this person cannot sign at all now (no mobile on record, signing locked), or None."""
    if not signer.mobile:
        return NoMobileNumber()
    if limits.signing_is_locked(signer=signer):
        return SigningLocked()
    return None


def signing_check(*, signer: User, now: datetime.datetime) -> None:
    """Refuse, before anything is saved, a code that could not be sent now."""
    if (refusal := signer_refusal(signer=signer)) is not None:
        raise refusal
    try:
        budget = limits.sms_budget_peek(signer=signer, now=now)
    except ratelimit.RateLimitUnavailable as exc:
        raise SmsServiceUnavailable from exc
    if not budget.allowed:
        raise SmsLimitReached(budget.retry_after_seconds)


def expected_code(challenge: SignatureChallenge) -> str:
    key = hmac.new(
        settings.SECRET_KEY.encode(),
        f"otp-seed:{challenge.pk}:{challenge.signer_id}:{challenge.payload_digest}".encode(),
        hashlib.sha256,
    ).digest()
    seed = base64.b32encode(key).decode()
    return pyotp.HOTP(seed, digits=settings.OTP_CODE_DIGITS).at(0)


def is_expired(challenge: SignatureChallenge, now: datetime.datetime) -> bool:
    return now >= challenge.expires_at


def challenge_start(
    *,
    signer: User,
    purpose: str,
    payload: Mapping[str, Any],
    now: datetime.datetime,
    phone: str | None = None,
) -> SignatureChallenge:
    """`phone`: send the code to this number rather than the signer's (a new mobile to verify)."""
    number = phone or signer.mobile
    if not number:
        raise NoMobileNumber
    return SignatureChallenge.objects.create(
        signer=signer,
        purpose=purpose,
        payload_digest=payload_digest(payload),
        phone_masked=mask_phone(number),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.OTP_CODE_LIFETIME_SECONDS),
    )


def live_challenge(
    challenge: SignatureChallenge | None,
    *,
    signer: User,
    payload: Mapping[str, Any],
    now: datetime.datetime,
) -> SignatureChallenge | None:
    """The challenge if a code of it may still sign this content for this signer, else None.

    A live challenge is resent, never replaced: a new one would bypass its cap on sends, its
    cool-down and its count of wrong codes.
    """
    if (
        challenge is not None
        and challenge.signer_id == signer.pk
        and challenge.status == ChallengeStatus.PENDING
        and not is_expired(challenge, now)
        and challenge.payload_digest == payload_digest(payload)
    ):
        return challenge
    return None


def _code_sms(challenge: SignatureChallenge, *, code: str, reason: str) -> str:
    minutes = settings.OTP_CODE_LIFETIME_SECONDS // 60
    return _(
        "Mes équipes : %(code)s est votre code pour %(reason)s. Valable %(minutes)s min. "
        "Ne le communiquez à personne, pas même à la banque."
    ) % {"code": code, "reason": reason, "minutes": minutes}


@transaction.atomic
def _send_reserve(
    *, challenge: SignatureChallenge, signer: User, now: datetime.datetime, phone: str | None
) -> tuple[SignatureChallenge, str, datetime.datetime | None]:
    """Check that a code may go now and count the send (committed before the SMS leaves): the
    challenge, the number, and when it was last sent before (to give the send back)."""
    # lock: two clicks on "send" must not both pass the cool-down
    challenge = SignatureChallenge.objects.select_for_update().get(pk=challenge.pk, signer=signer)
    number = phone or signer.mobile
    if not number:
        raise NoMobileNumber
    if phone and mask_phone(phone) != challenge.phone_masked:
        raise ValueError("A code goes only to the number its challenge was started for.")
    if challenge.status == ChallengeStatus.CONSUMED:
        raise ChallengeUsed
    if challenge.status == ChallengeStatus.DEAD:
        raise ChallengeLocked
    if is_expired(challenge, now):
        raise ChallengeExpired
    if challenge.send_count >= settings.OTP_MAX_SENDS:
        raise TooManySends
    if challenge.last_sent_at is not None:
        elapsed = (now - challenge.last_sent_at).total_seconds()
        if elapsed < settings.OTP_RESEND_COOLDOWN_SECONDS:
            raise ResendTooSoon(int(settings.OTP_RESEND_COOLDOWN_SECONDS - elapsed) + 1)
    # a login code is bounded by the login's own lock, not by signing's
    if challenge.purpose != LOGIN_PURPOSE and limits.signing_is_locked(signer=signer):
        raise SigningLocked
    try:
        budget = limits.sms_budget_take(signer=signer, now=now)
    except ratelimit.RateLimitUnavailable as exc:
        raise SmsServiceUnavailable from exc
    if not budget.allowed:
        # over the limit the provider is not called at all
        raise SmsLimitReached(budget.retry_after_seconds)
    previous_sent_at = challenge.last_sent_at
    challenge.send_count += 1
    challenge.last_sent_at = now
    challenge.save(update_fields=["send_count", "last_sent_at"])
    return challenge, str(number), previous_sent_at


def _send_give_back(
    challenge: SignatureChallenge,
    *,
    signer: User,
    now: datetime.datetime,
    previous_sent_at: datetime.datetime | None,
) -> None:
    """A send that did not happen is not counted: not on the challenge, not in the SMS budget."""
    SignatureChallenge.objects.filter(
        pk=challenge.pk, send_count=challenge.send_count, last_sent_at=now
    ).update(send_count=F("send_count") - 1, last_sent_at=previous_sent_at)
    challenge.send_count -= 1
    challenge.last_sent_at = previous_sent_at
    limits.sms_budget_return(signer=signer, now=now)


def challenge_send(
    *,
    challenge: SignatureChallenge,
    signer: User,
    now: datetime.datetime,
    reason: str,
    phone: str | None = None,
    company_id: int | None = None,
) -> SignatureChallenge:
    """Send the code by SMS, now: the signer is waiting and reads a refusal at once. A resend
    keeps the same code and never resets the failure count.

    The send is counted first and committed, then the SMS leaves with no row locked while the
    provider answers; a provider failure gives the send back. The outbox keeps the SMS for
    support, its code masked.
    """
    challenge, number, previous_sent_at = _send_reserve(
        challenge=challenge, signer=signer, now=now, phone=phone
    )
    error = ""
    try:
        send_sms(to=number, body=_code_sms(challenge, code=expected_code(challenge), reason=reason))
    except Exception as exc:
        error = " ← ".join(type(e).__name__ for e in (exc, exc.__cause__) if e is not None)
        _send_give_back(challenge, signer=signer, now=now, previous_sent_at=previous_sent_at)
        raise SmsDeliveryFailed from exc
    finally:
        outbox.sms_record(
            to=number,
            text=_code_sms(challenge, code=outbox.CODE_MASK, reason=reason),
            error=error,
            about=challenge,
            company_id=company_id,
            now=now,
        )
    return challenge


def resend_available_in(challenge: SignatureChallenge, now: datetime.datetime) -> int:
    """Seconds before another SMS may be asked for (0: now)."""
    if challenge.last_sent_at is None:
        return 0
    elapsed = (now - challenge.last_sent_at).total_seconds()
    return (
        max(int(settings.OTP_RESEND_COOLDOWN_SECONDS - elapsed) + 1, 0)
        if (elapsed < settings.OTP_RESEND_COOLDOWN_SECONDS)
        else 0
    )
