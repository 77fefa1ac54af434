"""A new collaborator's mobile, confirmed by an SMS code before their account exists.

There is no account yet, so no signature challenge: the pending acceptance (names, number, the
password's hash, a nonce) waits in the visitor's session, the code is derived from the server
secret, the invitation, the number and the nonce (never stored), wrong codes are counted in the
shared counters (every process), and the SMS budget is the invitation's. A changed number gets
a new nonce: the code sent to the old one no longer confirms anything.
"""

import base64
import datetime
import hashlib
import hmac
import secrets
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from core import outbox, ratelimit
from core.sms import send_sms
from invitations.models import Invitation
from otp import services as otp

PURPOSE = "acceptance_mobile"


def _expected_code(pending: dict[str, Any]) -> str:
    key = hmac.new(
        settings.SECRET_KEY.encode(),
        f"accept-mobile:{pending['invitation']}:{pending['mobile']}:{pending['nonce']}".encode(),
        hashlib.sha256,
    ).digest()
    return pyotp.HOTP(base64.b32encode(key).decode(), digits=settings.OTP_CODE_DIGITS).at(0)


def acceptance_pending_new(
    *,
    invitation: Invitation,
    first_name: str,
    last_name: str,
    mobile: str,
    password: str,
    now: datetime.datetime,
) -> dict[str, Any]:
    """What waits in the session for the code: the password only as its hash."""
    return {
        "invitation": invitation.pk,
        "first_name": first_name.strip(),
        "last_name": last_name.strip(),
        "mobile": mobile,
        "password_hash": make_password(password),
        "nonce": secrets.token_hex(16),
        "created_at": now.timestamp(),
        "send_count": 0,
        "last_sent_at": None,
    }


def _expired(pending: dict[str, Any], now: datetime.datetime) -> bool:
    return now.timestamp() - float(pending["created_at"]) >= settings.OTP_CODE_LIFETIME_SECONDS


def _budget_take(invitation: Invitation, now: datetime.datetime) -> None:
    windows = [
        (settings.SMS_PER_ADMIN_PER_10_MINUTES, 10 * 60),
        (settings.SMS_PER_ADMIN_PER_DAY, 24 * 3600),
    ]
    try:
        for limit, window in windows:
            decision = ratelimit.hit(
                f"sms:invitation:{invitation.pk}", limit=limit, window_seconds=window, now=now
            )
            if not decision.allowed:
                raise otp.SmsLimitReached(decision.retry_after_seconds)
    except ratelimit.RateLimitUnavailable as exc:
        raise otp.SmsServiceUnavailable from exc


def acceptance_code_send(
    *, invitation: Invitation, pending: dict[str, Any], now: datetime.datetime
) -> dict[str, Any]:
    """Send (or send again) the code to the number typed; the pending acceptance, counted."""
    if _expired(pending, now):
        raise otp.ChallengeExpired
    if int(pending["send_count"]) >= settings.OTP_MAX_SENDS:
        raise otp.TooManySends
    if pending["last_sent_at"] is not None:
        elapsed = now.timestamp() - float(pending["last_sent_at"])
        if elapsed < settings.OTP_RESEND_COOLDOWN_SECONDS:
            raise otp.ResendTooSoon(int(settings.OTP_RESEND_COOLDOWN_SECONDS - elapsed) + 1)
    _budget_take(invitation, now)

    def text(code: str) -> str:
        return _(
            "Mes équipes : %(code)s est votre code pour confirmer votre numéro de mobile. "
            "Valable %(minutes)s min. Ne le communiquez à personne, pas même à la banque."
        ) % {"code": code, "minutes": settings.OTP_CODE_LIFETIME_SECONDS // 60}

    error = ""
    try:
        send_sms(to=str(pending["mobile"]), body=text(_expected_code(pending)))
    except Exception as exc:
        error = type(exc).__name__
        raise otp.SmsDeliveryFailed from exc
    finally:
        outbox.sms_record(
            to=str(pending["mobile"]),
            text=text(outbox.CODE_MASK),
            error=error,
            about=invitation,
            company_id=invitation.company_id,
            now=now,
        )
    return {
        **pending,
        "send_count": int(pending["send_count"]) + 1,
        "last_sent_at": now.timestamp(),
    }


def acceptance_code_check(
    *, invitation: Invitation, pending: dict[str, Any], code: str, now: datetime.datetime
) -> None:
    """Refuse a code that does not confirm this number now (otp's refusals, French messages)."""
    if pending.get("invitation") != invitation.pk or not pending.get("send_count"):
        raise otp.CodeNotSent
    if _expired(pending, now):
        raise otp.ChallengeExpired
    attempts_key = f"accept-code:{pending['nonce']}"
    try:
        if ratelimit.blocked_for(attempts_key, now=now):
            raise otp.ChallengeLocked
        if hmac.compare_digest(code.strip(), _expected_code(pending)):
            return
        failures = ratelimit.streak(attempts_key, quiet_seconds=settings.OTP_CODE_LIFETIME_SECONDS)
        if failures >= settings.OTP_MAX_WRONG_CODES:
            ratelimit.block(attempts_key, seconds=settings.OTP_CODE_LIFETIME_SECONDS, now=now)
    except ratelimit.RateLimitUnavailable as exc:
        raise otp.SmsServiceUnavailable from exc
    if failures >= settings.OTP_MAX_WRONG_CODES:
        raise otp.ChallengeLocked
    raise otp.SignatureError(
        _("Code incorrect. Il vous reste %(n)s essai(s).")
        % {"n": settings.OTP_MAX_WRONG_CODES - failures}
    )
