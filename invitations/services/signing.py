"""Signing an invitation with the SMS code bound to exactly what is shown."""

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_event, audit_record_many
from companies.models import Company
from core.bulk import rows_update
from invitations.models import Invitation, InvitationStatus
from invitations.services.emails import invitation_emails_queue
from invitations.services.exceptions import InvitationRefused
from otp import services as otp
from otp import signing
from otp.models import AuthorisationKind, SignatureChallenge
from otp.passkeys import PasskeyAssertion
from permissions.catalogue import sorted_rights
from permissions.end_dates import dated_specs

PURPOSE = "invitation"


def signature_payload(invitation: Invitation, *, signer: User) -> dict[str, Any]:
    """Exactly what the administrator sees and signs; the SMS code is bound to its digest."""
    return {
        "purpose": PURPOSE,
        "company": invitation.company_id,
        "signer": signer.pk,
        "invitation": invitation.pk,
        "email": invitation.email.lower(),
        "first_name": invitation.first_name,
        "last_name": invitation.last_name,
        "rights": [r.value for r in sorted_rights(invitation.rights)],
        "ends_on": dict(sorted(invitation.ends_on.items())),
    }


def signature_statement(invitation: Invitation, *, signer: User) -> str:
    return render_to_string(
        "invitations/statement.txt",
        {
            "invitation": invitation,
            "signer": signer,
            "rights": dated_specs(invitation.rights, invitation.ends_on),
        },
    ).strip()


def _open_for_signature(invitation_id: int, company: Company) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "challenge")
        .get(pk=invitation_id, company=company)
    )
    if not invitation.awaits_signature:
        raise InvitationRefused(_("Cette invitation a déjà été signée ou n’est plus en cours."))
    # a member awaiting signature belongs to an unsigned batch: its code signs them all
    if invitation.batch_id is not None:
        raise InvitationRefused(
            _("Cette invitation fait partie d’un groupe : signez-la avec les autres du groupe.")
        )
    return invitation


def invitation_request_code(
    *,
    invitation_id: int,
    company: Company,
    signer: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Send the signature code; a second request for the same content is a resend."""
    # refused before any challenge is made: signing locked, too many SMS, Redis down
    otp.signing_check(signer=signer, now=now)
    with transaction.atomic():
        invitation = _open_for_signature(invitation_id, company)
        challenge, is_resend = signing.challenge_for(
            invitation,
            signer=signer,
            purpose=PURPOSE,
            payload=signature_payload(invitation, signer=signer),
            now=now,
        )
    return signing.code_send(
        challenge,
        target=invitation,
        company=company,
        signer=signer,
        reason=_("autoriser l’accès de %(name)s") % {"name": invitation.full_name},
        is_resend=is_resend,
        ip_address=ip_address,
        now=now,
    )


def invitation_sign(
    *,
    invitation_id: int,
    company: Company,
    signer: User,
    code: str = "",
    assertion: PasskeyAssertion | None = None,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> Invitation:
    """Check the code; if right, record the authorisation and write the email in one transaction."""
    with transaction.atomic():
        invitation = _open_for_signature(invitation_id, company)
        payload = signature_payload(invitation, signer=signer)
        verification = signing.signature_verify(
            invitation,
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
                [invitation],
                verification,
                signer=signer,
                ip_address=ip_address,
                user_agent=user_agent,
                now=now,
            )
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return invitation


def apply_signed(
    invitations: Sequence[Invitation],
    verification: otp.Verification,
    *,
    signer: User,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> None:
    """Record what one right code signed for these invitations of one company (one, or a whole
    batch): their authorisations, `signed`, their audit events and emails, in a number of queries
    that does not grow with the batch."""
    rights = {invitation.pk: _rights(invitation) for invitation in invitations}
    authorisations = otp.authorisations_record(
        kind=AuthorisationKind.INVITATION,
        verification=verification,
        company=invitations[0].company,
        signer=signer,
        subjects=[
            otp.AuthorisationSubject(
                email=invitation.email,
                name=invitation.full_name,
                rights=rights[invitation.pk],
                ends_on=invitation.ends_on,
                statement=signature_statement(invitation, signer=signer),
            )
            for invitation in invitations
        ],
        ip_address=ip_address,
        user_agent=user_agent,
        now=now,
    )
    for invitation, authorisation in zip(invitations, authorisations, strict=True):
        invitation.authorisation = authorisation
        invitation.status = InvitationStatus.SIGNED
        invitation.signed_at = now
    rows_update(invitations, ["authorisation", "status", "signed_at"])
    audit_record_many(
        [
            audit_event(
                action=Action.SIGNED,
                actor=signer,
                company=invitation.company,
                target=invitation,
                ip_address=ip_address,
                data={
                    "authorisation": str(authorisation.pk),
                    "rights": rights[invitation.pk],
                    **({"ends_on": invitation.ends_on} if invitation.ends_on else {}),
                },
            )
            for invitation, authorisation in zip(invitations, authorisations, strict=True)
        ]
    )
    # the emails are written with the signature: they leave once both are committed
    invitation_emails_queue(invitations, now=now)


def _rights(invitation: Invitation) -> list[str]:
    return [r.value for r in sorted_rights(invitation.rights)]
