"""Signature by SMS code: a challenge bound to the digest of what is signed.

The code is never stored: it is an HOTP value of a per-challenge seed derived from the server
secret, the challenge and the payload digest, so a code is only ever valid for one content.
"""

import base64
import datetime
import enum
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import phonenumbers
import pyotp
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from otp import limits
from otp.models import AccessAuthorisation, ChallengeStatus, SignatureChallenge
from otp.sms import send_sms
from portal import ratelimit


class SignatureError(Exception):
    """A refusal the signer must read; the message is French and says what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoMobileNumber(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Aucun numéro de mobile n’est enregistré pour vous : vous ne pouvez pas signer. "
                "Votre conseiller ou le support de la banque peut l’enregistrer après vérification "
                "de votre identité."
            )
        )


class ChallengeExpired(SignatureError):
    def __init__(self) -> None:
        super().__init__(_("Ce code a expiré. Demandez un nouveau code."))


class ChallengeLocked(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _("Trop de codes erronés : ce code est bloqué. Demandez un nouveau code pour signer.")
        )


class ChallengeUsed(SignatureError):
    def __init__(self) -> None:
        super().__init__(_("Ce code a déjà été utilisé."))


class CodeNotSent(SignatureError):
    def __init__(self) -> None:
        super().__init__(_("Demandez d’abord l’envoi du code par SMS."))


class ResendTooSoon(SignatureError):
    def __init__(self, wait_seconds: int) -> None:
        super().__init__(
            _("Un code vient d’être envoyé. Vous pourrez en demander un autre dans %(s)s s.")
            % {"s": wait_seconds}
        )
        self.wait_seconds = wait_seconds


class TooManySends(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le nombre maximal d’envois de ce code est atteint. Recommencez la signature "
                "dans quelques minutes."
            )
        )


class SmsDeliveryFailed(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le SMS n’a pas pu être envoyé. Aucun code n’a été décompté : réessayez dans "
                "un instant."
            )
        )


class SmsLimitReached(SignatureError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            _("Vous avez demandé trop de codes par SMS. %(retry)s")
            % {"retry": ratelimit.retry_message(retry_after_seconds)}
        )
        self.retry_after_seconds = retry_after_seconds


class SmsServiceUnavailable(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Le service d’envoi de codes est momentanément indisponible. "
                "Réessayez dans un instant."
            )
        )


class SigningLocked(SignatureError):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Trop de codes erronés ont été saisis à la suite : la signature est bloquée pour "
                "votre compte. Pour la débloquer, contactez %(support)s."
            )
            % {"support": settings.SUPPORT_CONTACT}
        )


def signer_refusal(*, signer: Any) -> SignatureError | None:
    """Why this person cannot sign at all now (no mobile on record, signing locked), or None."""
    if not signer.mobile:
        return NoMobileNumber()
    if limits.signing_is_locked(signer=signer):
        return SigningLocked()
    return None


def signing_check(*, signer: Any, now: datetime.datetime) -> None:
    """Refuse, before anything is saved, a code that could not be sent now."""
    if (refusal := signer_refusal(signer=signer)) is not None:
        raise refusal
    try:
        budget = limits.sms_budget_peek(signer=signer, now=now)
    except ratelimit.RateLimitUnavailable as exc:
        raise SmsServiceUnavailable from exc
    if not budget.allowed:
        raise SmsLimitReached(budget.retry_after_seconds)


class Outcome(enum.Enum):
    SIGNED = "signed"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"
    CONTENT_CHANGED = "content_changed"
    SIGNING_LOCKED = "signing_locked"


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    challenge: SignatureChallenge

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SIGNED

    @property
    def remaining_attempts(self) -> int:
        return max(settings.OTP_MAX_WRONG_CODES - self.challenge.failed_attempts, 0)

    @property
    def message(self) -> str:
        if self.outcome is Outcome.WRONG_CODE:
            return _("Code incorrect. Il vous reste %(n)s essai(s).") % {
                "n": self.remaining_attempts
            }
        if self.outcome is Outcome.LOCKED:
            return str(ChallengeLocked().message)
        if self.outcome is Outcome.SIGNING_LOCKED:
            return str(SigningLocked().message)
        if self.outcome is Outcome.CONTENT_CHANGED:
            return _(
                "Le contenu à signer a changé depuis l’envoi du code. Vérifiez-le et demandez un "
                "nouveau code."
            )
        return ""


def payload_digest(payload: Mapping[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def mask_phone(number: Any) -> str:
    """+33612345642 -> "+33 6 •• •• •• 42": enough to recognise one's phone, not to call it."""
    parsed = phonenumbers.parse(str(number), None)
    national = phonenumbers.national_significant_number(parsed)
    hidden = " ".join("••" for _ in range(max((len(national) - 3) // 2, 1)))
    return f"+{parsed.country_code} {national[0]} {hidden} {national[-2:]}"


def _expected_code(challenge: SignatureChallenge) -> str:
    key = hmac.new(
        settings.SECRET_KEY.encode(),
        f"otp-seed:{challenge.pk}:{challenge.signer_id}:{challenge.payload_digest}".encode(),
        hashlib.sha256,
    ).digest()
    seed = base64.b32encode(key).decode()
    return pyotp.HOTP(seed, digits=settings.OTP_CODE_DIGITS).at(0)


def _is_expired(challenge: SignatureChallenge, now: datetime.datetime) -> bool:
    return now >= challenge.expires_at


def challenge_start(
    *,
    signer: Any,
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
    signer: Any,
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
        and not _is_expired(challenge, now)
        and challenge.payload_digest == payload_digest(payload)
    ):
        return challenge
    return None


@transaction.atomic
def challenge_send(
    *,
    challenge: SignatureChallenge,
    signer: Any,
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
    if _is_expired(challenge, now):
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
    ) % {"code": _expected_code(challenge), "reason": reason, "minutes": minutes}
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


def challenge_verify(
    *,
    challenge_id: Any,
    signer: Any,
    payload: Mapping[str, Any],
    code: str,
    now: datetime.datetime,
) -> Verification:
    """Check a code against the content shown now. Must run inside the caller's transaction.

    Refusals that change the challenge (a wrong code, a changed content) are returned, not raised,
    so that the caller's transaction keeps the count; refusals that change nothing are raised.
    """
    # lock: concurrent submissions must count every wrong code and consume a right one once
    challenge = SignatureChallenge.objects.select_for_update().get(pk=challenge_id, signer=signer)
    if challenge.status == ChallengeStatus.CONSUMED:
        raise ChallengeUsed
    # lock: a code typed while another locks signing must find it locked
    if limits.signing_is_locked(signer=signer, for_update=True):
        raise SigningLocked
    if challenge.status == ChallengeStatus.DEAD:
        return Verification(Outcome.LOCKED, challenge)
    if _is_expired(challenge, now):
        raise ChallengeExpired
    if challenge.send_count == 0:
        raise CodeNotSent
    if challenge.payload_digest != payload_digest(payload):
        challenge.status = ChallengeStatus.DEAD
        challenge.save(update_fields=["status"])
        return Verification(Outcome.CONTENT_CHANGED, challenge)
    if not hmac.compare_digest(code.strip(), _expected_code(challenge)):
        challenge.failed_attempts += 1
        signing_locks = limits.wrong_code_record(signer=signer, now=now)
        if signing_locks or challenge.failed_attempts >= settings.OTP_MAX_WRONG_CODES:
            challenge.status = ChallengeStatus.DEAD
        challenge.save(update_fields=["failed_attempts", "status"])
        if signing_locks:
            return Verification(Outcome.SIGNING_LOCKED, challenge)
        if challenge.status == ChallengeStatus.DEAD:
            return Verification(Outcome.LOCKED, challenge)
        return Verification(Outcome.WRONG_CODE, challenge)
    challenge.status = ChallengeStatus.CONSUMED
    challenge.consumed_at = now
    challenge.save(update_fields=["status", "consumed_at"])
    limits.right_code_record(signer=signer)
    return Verification(Outcome.SIGNED, challenge)


def authorisation_record(
    *,
    kind: str,
    verification: Verification,
    company: Any,
    signer: Any,
    subject_email: str,
    subject_name: str,
    rights: list[str],
    statement: str,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> AccessAuthorisation:
    """The evidence of a right code: who signed what for whom, when, from where, on which phone."""
    if not verification.ok:
        raise ValueError("Only a right code produces an access authorisation.")
    return AccessAuthorisation.objects.create(
        kind=kind,
        challenge=verification.challenge,
        company=company,
        signer=signer,
        subject_email=subject_email,
        subject_name=subject_name,
        rights=rights,
        statement=statement,
        payload_digest=verification.challenge.payload_digest,
        signed_at=now,
        ip_address=ip_address,
        user_agent=user_agent[:400],
        phone_masked=verification.challenge.phone_masked,
    )
