"""The evidence kept of a right code: an access authorisation."""

import datetime
from typing import Any

from otp.models import AccessAuthorisation
from otp.services.verification import Verification


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
