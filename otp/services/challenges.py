"""A challenge, its code and its SMS: who may be sent a code, when, and how often.

The code is never stored: it is an HOTP value of a per-challenge seed derived from the server
secret, the challenge and the payload digest, so a code is only ever valid for one content.
"""

import base64
import datetime
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import pyotp
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from otp import limits
from otp.models import ChallengeStatus, SignatureChallenge
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
from otp.sms import send_sms
from portal import ratelimit


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


@transaction.atomic
def challenge_send(
    *,
    challenge: SignatureChallenge,
    signer: User,
    now: datetime.datetime,
    reason: str,
    phone: str | None = None,
) -> SignatureChallenge:
    """Send the code by SMS. A resend keeps the same code and never resets the failure count."""
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
    if limits.signing_is_locked(signer=signer):
        raise SigningLocked
    try:
        budget = limits.sms_budget_take(signer=signer, now=now)
    except ratelimit.RateLimitUnavailable as exc:
        raise SmsServiceUnavailable from exc
    if not budget.allowed:
        # over the limit the provider is not called at all
        raise SmsLimitReached(budget.retry_after_seconds)
    minutes = settings.OTP_CODE_LIFETIME_SECONDS // 60
    body = _(
        "Mes équipes : %(code)s est votre code pour %(reason)s. Valable %(minutes)s min. "
        "Ne le communiquez à personne, pas même à la banque."
    ) % {"code": expected_code(challenge), "reason": reason, "minutes": minutes}
    try:
        send_sms(to=str(number), body=body)
    except Exception as exc:
        # a send that did not happen is not counted
        limits.sms_budget_return(signer=signer, now=now)
        raise SmsDeliveryFailed from exc
    challenge.send_count += 1
    challenge.last_sent_at = now
    challenge.save(update_fields=["send_count", "last_sent_at"])
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
