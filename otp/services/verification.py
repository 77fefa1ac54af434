"""Checking a typed code against the content shown now: every wrong code counts."""

from __future__ import annotations

import datetime
import enum
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _

from otp import limits
from otp.models import LOGIN_PURPOSE, ChallengeStatus, Passkey, SignatureChallenge
from otp.services.challenges import expected_code, is_expired
from otp.services.digests import payload_digest
from otp.services.exceptions import (
    ChallengeExpired,
    ChallengeLocked,
    ChallengeUsed,
    CodeNotSent,
    SigningLocked,
)

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User


class Outcome(enum.Enum):
    SIGNED = "signed"
    WRONG_CODE = "wrong_code"
    LOCKED = "locked"
    CONTENT_CHANGED = "content_changed"
    SIGNING_LOCKED = "signing_locked"


@dataclass(frozen=True)
class PasskeyEvidence:
    """What a passkey signature keeps so that it can be verified again at any time."""

    passkey: Passkey
    credential_id: bytes
    public_key: bytes
    authenticator_data: bytes
    client_data_json: bytes
    signature: bytes
    sign_count: int
    rp_id: str
    origin: str


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    challenge: SignatureChallenge
    # set when a passkey signed rather than an SMS code
    evidence: PasskeyEvidence | None = None

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


def challenge_verify(
    *,
    challenge_id: uuid.UUID | str,
    signer: User,
    payload: Mapping[str, Any],
    code: str,
    now: datetime.datetime,
    purpose: str | None = None,
) -> Verification:
    """Check a code against the content shown now. Must run inside the caller's transaction.

    Refusals that change the challenge (a wrong code, a changed content) are returned, not raised,
    so that the caller's transaction keeps the count; refusals that change nothing are raised.
    `purpose=LOGIN_PURPOSE`: a login code, whose wrong codes the login counts (not signing's).
    """
    # lock: concurrent submissions must count every wrong code and consume a right one once
    challenge = SignatureChallenge.objects.select_for_update().get(pk=challenge_id, signer=signer)
    login = purpose == LOGIN_PURPOSE
    if (challenge.purpose == LOGIN_PURPOSE) != login:
        # a login code never signs, a signing code never logs in
        raise CodeNotSent
    if challenge.status == ChallengeStatus.CONSUMED:
        raise ChallengeUsed
    # lock: a code typed while another locks signing must find it locked
    if not login and limits.signing_is_locked(signer=signer, for_update=True):
        raise SigningLocked
    if challenge.status == ChallengeStatus.DEAD:
        return Verification(Outcome.LOCKED, challenge)
    if is_expired(challenge, now):
        raise ChallengeExpired
    if challenge.send_count == 0:
        raise CodeNotSent
    if challenge.payload_digest != payload_digest(payload):
        challenge.status = ChallengeStatus.DEAD
        challenge.save(update_fields=["status"])
        return Verification(Outcome.CONTENT_CHANGED, challenge)
    if not hmac.compare_digest(code.strip(), expected_code(challenge)):
        challenge.failed_attempts += 1
        signing_locks = not login and limits.wrong_code_record(signer=signer, now=now)
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
    if not login:
        limits.right_code_record(signer=signer)
    return Verification(Outcome.SIGNED, challenge)
