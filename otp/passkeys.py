"""Passkeys (WebAuthn, with py_webauthn): registering one, and proving or signing with one.

A passkey challenge is a `SignatureChallenge` of method "passkey": bound to the digest of what is
signed, like a code, with a fresh random nonce, valid `PASSKEY_CHALLENGE_SECONDS`, used once. The
WebAuthn challenge the browser signs is SHA-256(digest || nonce): the assertion is bound to exactly
that content, and anyone holding the stored evidence can check it again (`assertion_reverify`).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from otp import limits
from otp.models import (
    AccessAuthorisation,
    ChallengeStatus,
    Passkey,
    SignatureChallenge,
    SignatureMethod,
)
from otp.services.challenges import is_expired
from otp.services.digests import payload_digest
from otp.services.exceptions import SignatureError, SigningLocked
from otp.services.verification import Outcome, PasskeyEvidence, Verification

if TYPE_CHECKING:  # the user model's app sits above this one: annotations only
    from accounts.models import User

NONCE_BYTES = 32
# a challenge shown with less than this left is not handed out again: the person needs time
REUSE_MARGIN = datetime.timedelta(seconds=60)


class PasskeyRefused(SignatureError):
    """A passkey proof refused; nothing it would have signed or changed is applied."""


def _refused() -> PasskeyRefused:
    return PasskeyRefused(
        _("La clé d’accès n’a pas pu être vérifiée. Rien n’a été signé : réessayez.")
    )


@dataclass(frozen=True)
class PasskeyAssertion:
    """What the browser posted: the challenge it answered and the credential, as JSON."""

    challenge_id: uuid.UUID
    credential: str


def webauthn_challenge(*, digest: str, nonce: bytes | memoryview) -> bytes:
    """The bytes the authenticator signs: the content's digest and the single-use nonce."""
    return hashlib.sha256(bytes.fromhex(digest) + bytes(nonce)).digest()


def user_handle(user: User) -> bytes:
    """The WebAuthn user id: stable, opaque, no personal data."""
    return hashlib.sha256(f"mes-equipes-user:{user.pk}".encode()).digest()[:16]


def _descriptors(passkeys: Sequence[Passkey]) -> list[PublicKeyCredentialDescriptor]:
    known = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports if t in known] or None,
        )
        for p in passkeys
    ]


def passkey_challenge_start(
    *,
    user: User,
    purpose: str,
    payload: Mapping[str, Any],
    now: datetime.datetime,
) -> SignatureChallenge:
    """A challenge for this content: the live one already made for it, or a new one."""
    digest = payload_digest(payload)
    live = (
        SignatureChallenge.objects.filter(
            signer=user,
            method=SignatureMethod.PASSKEY,
            purpose=purpose,
            payload_digest=digest,
            status=ChallengeStatus.PENDING,
            expires_at__gt=now + REUSE_MARGIN,
        )
        .order_by("-created_at")
        .first()
    )
    if live is not None:
        return live
    return SignatureChallenge.objects.create(
        signer=user,
        purpose=purpose,
        payload_digest=digest,
        method=SignatureMethod.PASSKEY,
        nonce=secrets.token_bytes(NONCE_BYTES),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.PASSKEY_CHALLENGE_SECONDS),
    )


def request_options(*, challenge: SignatureChallenge, passkeys: Sequence[Passkey]) -> str:
    """navigator.credentials.get()'s options, as JSON (binary values in base64url)."""
    options = generate_authentication_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        challenge=webauthn_challenge(digest=challenge.payload_digest, nonce=challenge.nonce),
        timeout=settings.PASSKEY_CHALLENGE_SECONDS * 1000,
        allow_credentials=_descriptors(passkeys),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return str(options_to_json(options))


def creation_options(
    *, user: User, challenge: SignatureChallenge, passkeys: Sequence[Passkey]
) -> str:
    """navigator.credentials.create()'s options, as JSON: user verification required, a
    discoverable credential preferred, no attestation asked, the person's passkeys excluded."""
    options = generate_registration_options(
        rp_id=settings.WEBAUTHN_RP_ID,
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=user.email,
        user_id=user_handle(user),
        user_display_name=user.get_full_name() or user.email,
        challenge=webauthn_challenge(digest=challenge.payload_digest, nonce=challenge.nonce),
        timeout=settings.PASSKEY_CHALLENGE_SECONDS * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(passkeys),
    )
    return str(options_to_json(options))


def _open_challenge(
    *,
    assertion_challenge: uuid.UUID,
    user: User,
    payload: Mapping[str, Any],
    now: datetime.datetime,
) -> SignatureChallenge:
    # lock: the same assertion posted twice at once must be consumed once
    challenge = (
        SignatureChallenge.objects.select_for_update()
        .filter(pk=assertion_challenge, signer=user, method=SignatureMethod.PASSKEY)
        .first()
    )
    if challenge is None:
        raise _refused()
    if challenge.status != ChallengeStatus.PENDING:
        raise PasskeyRefused(
            _("Cette confirmation par clé d’accès a déjà été utilisée. Recommencez.")
        )
    if is_expired(challenge, now):
        raise PasskeyRefused(
            _("Le délai de confirmation par clé d’accès est dépassé. Recommencez.")
        )
    if challenge.payload_digest != payload_digest(payload):
        raise PasskeyRefused(
            _(
                "Le contenu à signer a changé depuis que vous avez utilisé votre clé d’accès. "
                "Vérifiez-le et recommencez : rien n’a été signé."
            )
        )
    return challenge


def registration_verify(
    *,
    user: User,
    assertion: PasskeyAssertion,
    payload: Mapping[str, Any],
    now: datetime.datetime,
) -> tuple[SignatureChallenge, Any]:
    """Check a new credential against its challenge; consume the challenge. Must run inside the
    caller's transaction. Returns the challenge and py_webauthn's VerifiedRegistration."""
    challenge = _open_challenge(
        assertion_challenge=assertion.challenge_id, user=user, payload=payload, now=now
    )
    try:
        verified = verify_registration_response(
            credential=assertion.credential,
            expected_challenge=webauthn_challenge(
                digest=challenge.payload_digest, nonce=challenge.nonce
            ),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGIN,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        raise PasskeyRefused(_("La clé d’accès n’a pas pu être enregistrée. Réessayez.")) from exc
    challenge.status = ChallengeStatus.CONSUMED
    challenge.consumed_at = now
    challenge.save(update_fields=["status", "consumed_at"])
    return challenge, verified


def registration_transports(credential: str) -> list[str]:
    try:
        data = json.loads(credential)
        transports = data.get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        return []
    known = {t.value for t in AuthenticatorTransport}
    return [t for t in transports if isinstance(t, str) and t in known]


def _credential_raw_id(credential: str) -> bytes:
    try:
        return bytes(parse_authentication_credential_json(credential).raw_id)
    except (InvalidJSONStructure, InvalidAuthenticationResponse, ValueError, KeyError) as exc:
        raise _refused() from exc


def assertion_verify(
    *,
    user: User,
    assertion: PasskeyAssertion,
    payload: Mapping[str, Any],
    now: datetime.datetime,
    excluded_passkey_id: int | None = None,
) -> Verification:
    """Check an assertion against the content shown now, with one of the user's own passkeys.
    Must run inside the caller's transaction; a refusal raises and changes nothing.

    Refused: another challenge's content, a used or expired challenge, a credential that is not
    (or no longer) one of this user's passkeys, a counter that does not go up, a bad signature.
    """
    challenge = _open_challenge(
        assertion_challenge=assertion.challenge_id, user=user, payload=payload, now=now
    )
    raw_id = _credential_raw_id(assertion.credential)
    # lock: two assertions of one passkey must see each other's counter
    passkeys = Passkey.objects.select_for_update().filter(user=user, credential_id=raw_id)
    if excluded_passkey_id is not None:
        passkeys = passkeys.exclude(pk=excluded_passkey_id)
    passkey = passkeys.first()
    if passkey is None:
        raise PasskeyRefused(
            _("Cette clé d’accès n’est pas (ou plus) enregistrée pour votre compte.")
        )
    try:
        verified = verify_authentication_response(
            credential=assertion.credential,
            # recomputed from the content shown now: an assertion for other content fails
            expected_challenge=webauthn_challenge(
                digest=payload_digest(payload), nonce=challenge.nonce
            ),
            expected_rp_id=settings.WEBAUTHN_RP_ID,
            expected_origin=settings.WEBAUTHN_ORIGIN,
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, ValueError, KeyError) as exc:
        raise _refused() from exc
    parsed = parse_authentication_credential_json(assertion.credential)
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    passkey.save(update_fields=["sign_count", "last_used_at"])
    challenge.status = ChallengeStatus.CONSUMED
    challenge.consumed_at = now
    challenge.save(update_fields=["status", "consumed_at"])
    return Verification(
        Outcome.SIGNED,
        challenge,
        evidence=PasskeyEvidence(
            passkey=passkey,
            credential_id=raw_id,
            public_key=bytes(passkey.public_key),
            authenticator_data=bytes(parsed.response.authenticator_data),
            client_data_json=bytes(parsed.response.client_data_json),
            signature=bytes(parsed.response.signature),
            sign_count=verified.new_sign_count,
            rp_id=settings.WEBAUTHN_RP_ID,
            origin=settings.WEBAUTHN_ORIGIN,
        ),
    )


def passkey_sign_verify(
    *,
    signer: User,
    assertion: PasskeyAssertion,
    payload: Mapping[str, Any],
    now: datetime.datetime,
) -> Verification:
    """A signature by passkey: refused while signing is locked for the signer, like a code."""
    # lock: a passkey used while wrong codes lock signing must find it locked
    if limits.signing_is_locked(signer=signer, for_update=True):
        raise SigningLocked
    return assertion_verify(user=signer, assertion=assertion, payload=payload, now=now)


@dataclass(frozen=True)
class Reverification:
    """What `assertion_reverify` checked, line by line, and whether all of it holds."""

    checks: list[tuple[str, bool]]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(ok for _, ok in self.checks)


def assertion_reverify(authorisation: AccessAuthorisation) -> Reverification:
    """Verify a passkey signature again from what the authorisation keeps: the digest of its
    content and its challenge's nonce give the challenge; the stored public key checks the
    stored signature over the stored authenticator data and client data."""
    checks: list[tuple[str, bool]] = []
    if authorisation.method != SignatureMethod.PASSKEY:
        return Reverification([(_("signée avec une clé d’accès"), False)])
    challenge = authorisation.challenge
    checks.append(
        (
            "the challenge was made for this content",
            challenge.payload_digest == authorisation.payload_digest,
        )
    )
    expected = webauthn_challenge(digest=authorisation.payload_digest, nonce=challenge.nonce)
    checks.append(
        (
            _("le défi signé est SHA-256(empreinte du contenu || aléa à usage unique)"),
            _client_data_challenge(bytes(authorisation.client_data_json)) == expected,
        )
    )
    credential = {
        "id": _b64url(bytes(authorisation.credential_id)),
        "rawId": _b64url(bytes(authorisation.credential_id)),
        "type": "public-key",
        "response": {
            "clientDataJSON": _b64url(bytes(authorisation.client_data_json)),
            "authenticatorData": _b64url(bytes(authorisation.authenticator_data)),
            "signature": _b64url(bytes(authorisation.signature)),
        },
    }
    count = authorisation.sign_count or 0
    try:
        verify_authentication_response(
            credential=credential,
            expected_challenge=expected,
            expected_rp_id=authorisation.rp_id,
            expected_origin=authorisation.origin,
            credential_public_key=bytes(authorisation.credential_public_key),
            credential_current_sign_count=max(count - 1, 0),
            require_user_verification=True,
        )
        signature_ok = True
    except (InvalidAuthenticationResponse, InvalidJSONStructure, ValueError, KeyError):
        signature_ok = False
    checks.append(
        (
            _(
                "la signature est valide pour la clé publique conservée, sur les données de "
                "l’authentificateur et du client (site, origine, présence et vérification de "
                "l’utilisateur, compteur)"
            ),
            signature_ok,
        )
    )
    return Reverification(checks)


def _client_data_challenge(client_data_json: bytes) -> bytes:
    try:
        return bytes(base64url_to_bytes(str(json.loads(client_data_json).get("challenge", ""))))
    except (ValueError, AttributeError):
        return b""


def _b64url(value: bytes) -> str:
    return str(bytes_to_base64url(value))
