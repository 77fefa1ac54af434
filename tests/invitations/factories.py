"""Invitations at each step of their life, made through the services (the way the product does)."""

import datetime
import re

import factory
from django.core import mail
from factory.django import DjangoModelFactory

from companies.models import Membership
from invitations import services
from invitations.models import Invitation
from invitations.services.emails import INVITATION_EMAIL
from permissions.catalogue import Right
from tests.factories import CompanyFactory, UserFactory
from tests.otp.factories import NOW, last_code
from tests.outbox import deliver

IP = "203.0.113.7"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"
TOKEN = re.compile(r"/([A-Za-z0-9_-]{43})/?(?:\s|$|\")")


class InvitationFactory(DjangoModelFactory):
    """A bare row, for the admin and selectors; the life cycle goes through the helpers below."""

    class Meta:
        model = Invitation

    company = factory.SubFactory(CompanyFactory)
    invited_by = factory.SubFactory(UserFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@partenaire.example")
    first_name = "Léa"
    last_name = "Martin"
    rights = factory.LazyFunction(lambda: [Right.DOCUMENTS.value])
    created_at = NOW


def create(
    admin: Membership,
    *,
    email: str = "lea.martin@partenaire.example",
    rights: tuple[str, ...] = (Right.DOCUMENTS, Right.TREASURY),
    ends_on: dict[str, datetime.date] | None = None,
    now: datetime.datetime = NOW,
) -> Invitation:
    return services.invitation_create(
        company=admin.company,
        invited_by=admin.user,
        email=email,
        first_name="Léa",
        last_name="Martin",
        rights=rights,
        ends_on=ends_on,
        ip_address=IP,
        now=now,
    )


def request_code(invitation: Invitation, admin: Membership, *, now: datetime.datetime = NOW):
    return services.invitation_request_code(
        invitation_id=invitation.pk,
        company=admin.company,
        signer=admin.user,
        ip_address=IP,
        now=now,
    )


def sign(
    invitation: Invitation, admin: Membership, *, code: str | None = None, now=NOW
) -> Invitation:
    return services.invitation_sign(
        invitation_id=invitation.pk,
        company=admin.company,
        signer=admin.user,
        code=last_code() if code is None else code,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=now,
    )


def signed(admin: Membership, **create_fields) -> Invitation:
    invitation = create(admin, **create_fields)
    request_code(invitation, admin)
    return sign(invitation, admin)


def token_in(message: mail.EmailMessage) -> str:
    match = TOKEN.search(str(message.body))
    assert match is not None, message.body
    return match.group(1)


def dispatch(invitation: Invitation, *, now: datetime.datetime = NOW) -> str:
    """Email the invitation as the worker would, and return the token of the emailed link."""
    assert deliver(now=now, template=INVITATION_EMAIL, about_id=str(invitation.pk)) == 1
    return token_in(mail.outbox[-1])


def sent(admin: Membership, **create_fields) -> tuple[Invitation, str]:
    invitation = signed(admin, **create_fields)
    token = dispatch(invitation)
    invitation.refresh_from_db()
    return invitation, token
