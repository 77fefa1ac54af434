"""Signing a batch: one SMS code bound to the digest of every member and their own rights."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from companies.models import Company
from invitations.models import Invitation, InvitationBatch, InvitationStatus
from invitations.services.exceptions import InvitationRefused
from invitations.services.signing import apply_signed, signature_statement
from otp import services as otp
from otp import signing
from otp.models import SignatureChallenge
from otp.passkeys import PasskeyAssertion
from permissions.catalogue import sorted_rights

PURPOSE = "invitation_batch"


def batch_signature_payload(
    batch: InvitationBatch, members: Sequence[Invitation], *, signer: User
) -> dict[str, Any]:
    """Exactly what the administrator sees and signs: any change to a person kills the code."""
    return {
        "purpose": PURPOSE,
        "company": batch.company_id,
        "signer": signer.pk,
        "batch": batch.pk,
        "invitees": [
            {
                "invitation": invitation.pk,
                "email": invitation.email.lower(),
                "first_name": invitation.first_name,
                "last_name": invitation.last_name,
                "rights": [r.value for r in sorted_rights(invitation.rights)],
                "ends_on": dict(sorted(invitation.ends_on.items())),
            }
            for invitation in sorted(members, key=lambda i: (i.email.lower(), i.pk))
        ],
    }


def batch_signature_statement(members: Sequence[Invitation], *, signer: User) -> str:
    return "\n\n".join(signature_statement(invitation, signer=signer) for invitation in members)


def _open_batch_for_signature(
    batch_id: int, company: Company
) -> tuple[InvitationBatch, list[Invitation]]:
    batch = (
        InvitationBatch.objects.select_for_update(of=("self",))
        .select_related("company", "challenge")
        .get(pk=batch_id, company=company)
    )
    # lock: an edit, a revoke or a single signature of a member waits for the batch's
    members = list(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "invited_by")
        .filter(batch=batch, status=InvitationStatus.AWAITING_SIGNATURE)
        .order_by("email", "pk")
    )
    if batch.signed_at is not None or not members:
        raise InvitationRefused(
            _("Ce groupe d’invitations a déjà été signé ou n’est plus en cours.")
        )
    return batch, members


def invitation_batch_request_code(
    *,
    batch_id: int,
    company: Company,
    signer: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Send the batch's signature code; a second request for the same content is a resend."""
    otp.signing_check(signer=signer, now=now)
    with transaction.atomic():
        batch, members = _open_batch_for_signature(batch_id, company)
        challenge, is_resend = signing.challenge_for(
            batch,
            signer=signer,
            purpose=PURPOSE,
            payload=batch_signature_payload(batch, members, signer=signer),
            now=now,
        )
    return signing.code_send(
        challenge,
        target=batch,
        company=company,
        signer=signer,
        reason=ngettext(
            "autoriser l’accès de %(n)s collaborateur",
            "autoriser l’accès de %(n)s collaborateurs",
            len(members),
        )
        % {"n": len(members)},
        is_resend=is_resend,
        ip_address=ip_address,
        now=now,
    )


def invitation_batch_sign(
    *,
    batch_id: int,
    company: Company,
    signer: User,
    code: str = "",
    assertion: PasskeyAssertion | None = None,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> list[Invitation]:
    """One right code signs every member: their authorisations and emails, in one transaction
    and in a number of queries that does not grow with the batch (500 people included)."""
    with transaction.atomic():
        batch, members = _open_batch_for_signature(batch_id, company)
        payload = batch_signature_payload(batch, members, signer=signer)
        verification = signing.signature_verify(
            batch,
            company=company,
            signer=signer,
            payload=payload,
            code=code,
            assertion=assertion,
            ip_address=ip_address,
            now=now,
        )
        if verification.ok:
            apply_signed(
                members,
                verification,
                signer=signer,
                ip_address=ip_address,
                user_agent=user_agent,
                now=now,
            )
            batch.signed_at = now
            batch.save(update_fields=["signed_at"])
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return members
