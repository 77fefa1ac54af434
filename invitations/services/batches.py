"""Several collaborators invited at once with the same rights, and signed with one SMS code.

Each invitation of a batch then lives on its own (email, acceptance, resend, revoke, expiry); an
edit of its rights takes it out of the batch, and while the batch is unsigned its members cannot
be signed one by one.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company
from invitations.models import (
    BATCH_MAX_INVITEES,
    Invitation,
    InvitationBatch,
    InvitationStatus,
)
from invitations.services.creating import (
    check_rights,
    count_against_daily_ceiling,
    email_refusal,
    invitee_refusals,
    mobile_checked,
    uncount_against_daily_ceiling,
)
from invitations.services.exceptions import InvitationBatchRefused, InvitationRefused
from invitations.services.signing import apply_signed, signature_statement
from otp import services as otp
from otp import signing
from otp.models import SignatureChallenge
from otp.passkeys import PasskeyAssertion
from permissions.catalogue import sorted_rights

PURPOSE = "invitation_batch"


@dataclass(frozen=True)
class Invitee:
    email: str
    first_name: str
    last_name: str
    mobile: str = ""


def _row_refusals(
    company: Company, invitees: Sequence[Invitee], now: datetime.datetime
) -> dict[int, str]:
    refusals: dict[int, str] = {}
    seen: set[str] = set()
    for row, invitee in enumerate(invitees):
        email = invitee.email.strip().lower()
        if written := invitee_refusals(
            email=invitee.email,
            first_name=invitee.first_name,
            last_name=invitee.last_name,
            mobile=invitee.mobile,
        ):
            refusals[row] = " ".join(written.values())
        elif email in seen:
            refusals[row] = _("Cette adresse e-mail figure déjà plus haut dans le groupe.")
        elif (refusal := email_refusal(company, email, now)) is not None:
            refusals[row] = refusal
        seen.add(email)
    return refusals


@transaction.atomic
def invitation_batch_create(
    *,
    company: Company,
    invited_by: User,
    invitees: Sequence[Invitee],
    rights: Iterable[str],
    ip_address: str | None,
    now: datetime.datetime,
) -> InvitationBatch:
    """Every row is invited, or none: the refusals of all rows come back together."""
    if not 1 <= len(invitees) <= BATCH_MAX_INVITEES:
        raise InvitationRefused(
            _("Un groupe compte de 1 à %(max)s personnes.") % {"max": BATCH_MAX_INVITEES}
        )
    chosen = [r.value for r in check_rights(company, rights)]
    if refusals := _row_refusals(company, invitees, now):
        raise InvitationBatchRefused(
            ngettext(
                "Une ligne ne peut pas être invitée : corrigez-la ou videz-la.",
                "%(n)s lignes ne peuvent pas être invitées : corrigez-les ou videz-les.",
                len(refusals),
            )
            % {"n": len(refusals)},
            rows=refusals,
        )
    count_against_daily_ceiling(company, now, invitees=len(invitees))
    batch = InvitationBatch.objects.create(company=company, invited_by=invited_by, created_at=now)
    try:
        with transaction.atomic():
            invitations = Invitation.objects.bulk_create(
                Invitation(
                    company=company,
                    invited_by=invited_by,
                    batch=batch,
                    email=invitee.email.strip().lower(),
                    first_name=invitee.first_name.strip(),
                    last_name=invitee.last_name.strip(),
                    mobile=mobile_checked(invitee.mobile),
                    rights=chosen,
                    created_at=now,
                )
                for invitee in invitees
            )
    except IntegrityError:
        # race: another request invited one of these addresses in between
        uncount_against_daily_ceiling(company, now, invitees=len(invitees))
        raise InvitationRefused(
            _("Une invitation est déjà en cours pour l’une de ces adresses e-mail.")
        ) from None
    for invitation in invitations:
        audit_record(
            action=Action.INVITATION_CREATED,
            actor=invited_by,
            company=company,
            target=invitation,
            ip_address=ip_address,
            data={"rights": invitation.rights, "batch": batch.pk},
        )
    return batch


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
        .select_related("company")
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
    """One right code signs every member: their authorisations and emails, in one transaction."""
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
            for invitation in members:
                apply_signed(
                    invitation,
                    verification,
                    signer=signer,
                    rights=[r.value for r in sorted_rights(invitation.rights)],
                    ip_address=ip_address,
                    user_agent=user_agent,
                    now=now,
                )
            batch.signed_at = now
            batch.save(update_fields=["signed_at"])
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return members
