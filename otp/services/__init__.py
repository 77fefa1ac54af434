"""Signature by SMS code: a challenge bound to the digest of what is signed.

Split by concern: `challenges` (starting one, its code and its SMS), `verification` (a typed code),
`authorisations` (the evidence of a right code), `digests` (the content's digest, the masked
phone) and `exceptions` (the refusals). Import from here.
"""

from otp.services.authorisations import (
    AuthorisationSubject,
    authorisation_close,
    authorisation_download_record,
    authorisation_record,
    authorisations_record,
)
from otp.services.challenges import (
    challenge_send,
    challenge_start,
    live_challenge,
    resend_available_in,
    signer_refusal,
    signing_check,
)
from otp.services.digests import mask_phone, payload_digest
from otp.services.exceptions import (
    ChallengeExpired,
    ChallengeLocked,
    ChallengeUsed,
    CodeNotSent,
    NoMobileNumber,
    ResendTooSoon,
    SignatureError,
    SigningLocked,
    SmsDeliveryFailed,
    SmsLimitReached,
    SmsServiceUnavailable,
    TooManySends,
)
from otp.services.sealing import (
    authorisation_seal,
    authorisation_sealed_bytes,
    authorisation_sealed_file,
    unsealed_authorisation_ids,
)
from otp.services.verification import Outcome, Verification, challenge_verify

__all__ = [
    "AuthorisationSubject",
    "ChallengeExpired",
    "ChallengeLocked",
    "ChallengeUsed",
    "CodeNotSent",
    "NoMobileNumber",
    "Outcome",
    "ResendTooSoon",
    "SignatureError",
    "SigningLocked",
    "SmsDeliveryFailed",
    "SmsLimitReached",
    "SmsServiceUnavailable",
    "TooManySends",
    "Verification",
    "authorisation_close",
    "authorisation_download_record",
    "authorisation_record",
    "authorisation_seal",
    "authorisation_sealed_bytes",
    "authorisation_sealed_file",
    "authorisations_record",
    "challenge_send",
    "challenge_start",
    "challenge_verify",
    "live_challenge",
    "mask_phone",
    "payload_digest",
    "resend_available_in",
    "signer_refusal",
    "signing_check",
    "unsealed_authorisation_ids",
]
