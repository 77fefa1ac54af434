"""Signing an object that holds a challenge (an invitation, a rights change): what the code's
sending and checking share, called by the object's own service under its lock."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.db.models import Model

from audit.models import Action
from audit.services import audit_record
from companies.models import Company
from otp.models import SignatureChallenge
from otp.passkeys import PasskeyAssertion, passkey_sign_verify
from otp.services import (
    CodeNotSent,
    Verification,
    challenge_send,
    challenge_start,
    challenge_verify,
    live_challenge,
)

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User


class Signed(Protocol):
    """A model row whose `challenge` binds the code to what it asks to sign."""

    pk: int
    challenge: SignatureChallenge | None

    def save(self, *, update_fields: list[str]) -> None: ...


def challenge_for(
    holder: Signed,
    *,
    signer: User,
    purpose: str,
    payload: Mapping[str, Any],
    now: datetime.datetime,
) -> tuple[SignatureChallenge, bool]:
    """The holder's live challenge for this content (a resend: True) or a new one it keeps."""
    challenge = live_challenge(holder.challenge, signer=signer, payload=payload, now=now)
    if challenge is not None:
        return challenge, True
    holder.challenge = challenge_start(signer=signer, purpose=purpose, payload=payload, now=now)
    holder.save(update_fields=["challenge"])
    return holder.challenge, False


def code_send(
    challenge: SignatureChallenge,
    *,
    target: Model,
    company: Company,
    signer: User,
    reason: str,
    is_resend: bool,
    ip_address: str | None,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Send the SMS (after the holder's transaction: no lock is held while Twilio answers)."""
    challenge = challenge_send(
        challenge=challenge, signer=signer, now=now, reason=reason, company_id=company.pk
    )
    audit_record(
        action=Action.CODE_SENT,
        actor=signer,
        company=company,
        target=target,
        ip_address=ip_address,
        data={"phone": challenge.phone_masked, "send": challenge.send_count, "resend": is_resend},
    )
    return challenge


def code_verify(
    holder: Signed,
    *,
    company: Company,
    signer: User,
    payload: Mapping[str, Any],
    code: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Verification:
    """Check the code against the holder's challenge; a wrong one is audited (the caller raises
    `SignatureError` once its transaction has kept the failed attempt)."""
    challenge = holder.challenge
    if challenge is None or challenge.signer_id != signer.pk:
        # the code was sent to another administrator: this one asks for their own
        raise CodeNotSent
    verification = challenge_verify(
        challenge_id=challenge.pk, signer=signer, payload=payload, code=code, now=now
    )
    if not verification.ok:
        audit_record(
            action=Action.CODE_WRONG,
            actor=signer,
            company=company,
            target=cast(Model, holder),
            ip_address=ip_address,
            data={
                "outcome": verification.outcome.value,
                "failed_attempts": verification.challenge.failed_attempts,
            },
        )
    return verification


def signature_verify(
    holder: Signed,
    *,
    company: Company,
    signer: User,
    payload: Mapping[str, Any],
    code: str,
    assertion: PasskeyAssertion | None,
    ip_address: str | None,
    now: datetime.datetime,
) -> Verification:
    """Check the signer's proof for the content shown now: a passkey's assertion if one was
    posted (a refusal raises: nothing is kept), otherwise the SMS code of the holder's challenge."""
    if assertion is not None:
        return passkey_sign_verify(signer=signer, assertion=assertion, payload=payload, now=now)
    return code_verify(
        holder,
        company=company,
        signer=signer,
        payload=payload,
        code=code,
        ip_address=ip_address,
        now=now,
    )
