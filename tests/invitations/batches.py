"""Batches of invitations, made through the services (the way the product does)."""

import datetime

from companies.models import Membership
from invitations import services
from invitations.models import InvitationBatch
from invitations.services import Invitee
from permissions.catalogue import Right
from tests.invitations.factories import IP, USER_AGENT
from tests.otp.factories import NOW, last_code


def invitees(*emails: str) -> list[Invitee]:
    return [
        Invitee(email=email, first_name="Prénom", last_name=email.split("@")[0].title())
        for email in emails
    ]


def create_batch(
    admin: Membership,
    *emails: str,
    rights: tuple[str, ...] = (Right.DOCUMENTS, Right.TREASURY),
    ends_on: dict[str, datetime.date] | None = None,
    now: datetime.datetime = NOW,
) -> InvitationBatch:
    return services.invitation_batch_create(
        company=admin.company,
        invited_by=admin.user,
        invitees=invitees(*(emails or ("ana@partenaire.example", "bob@partenaire.example"))),
        rights=rights,
        ends_on=ends_on,
        ip_address=IP,
        now=now,
    )


def request_batch_code(batch: InvitationBatch, admin: Membership, *, now=NOW):
    return services.invitation_batch_request_code(
        batch_id=batch.pk, company=admin.company, signer=admin.user, ip_address=IP, now=now
    )


def sign_batch(batch: InvitationBatch, admin: Membership, *, code: str | None = None, now=NOW):
    return services.invitation_batch_sign(
        batch_id=batch.pk,
        company=admin.company,
        signer=admin.user,
        code=last_code() if code is None else code,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=now,
    )
