"""Accepting the emailed link: once, by the invited email only, with the signed rights."""

import datetime

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Membership, MembershipStatus, Role
from invitations.models import Invitation, InvitationStatus
from invitations.services.creating import mobile_checked
from invitations.services.emails import hash_token, inviter_notice_queue, money_rights_alert_queue
from invitations.services.exceptions import (
    AccountExists,
    InvitationLinkInvalid,
    InvitationRefused,
    WrongAccount,
)
from permissions.models import Grant


def invitation_for_token(token: str, *, now: datetime.datetime) -> Invitation:
    """The invitation a link opens, or InvitationLinkInvalid with a reason for a clear page."""
    invitation = (
        Invitation.objects.select_related("company", "invited_by", "authorisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    _check_usable(invitation, now=now)
    assert invitation is not None
    return invitation


def _check_usable(invitation: Invitation | None, *, now: datetime.datetime) -> None:
    if invitation is None:
        raise InvitationLinkInvalid("unknown")
    if invitation.status == InvitationStatus.ACCEPTED:
        raise InvitationLinkInvalid("used", invitation)
    if invitation.status == InvitationStatus.REVOKED:
        raise InvitationLinkInvalid("revoked", invitation)
    if invitation.status == InvitationStatus.EXPIRED or invitation.is_expired(now):
        raise InvitationLinkInvalid("expired", invitation)
    if invitation.status != InvitationStatus.SENT:
        raise InvitationLinkInvalid("unknown", invitation)


def invitation_accept(
    *, token: str, user: User, ip_address: str | None, now: datetime.datetime
) -> Membership:
    """Join the company with exactly the rights that were signed. The link works once."""
    with transaction.atomic():
        # lock: two acceptances of one link must make one membership
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("company", "invited_by", "authorisation")
            .filter(token_hash=hash_token(token))
            .first()
        )
        _check_usable(invitation, now=now)
        assert invitation is not None and invitation.authorisation is not None
        if user.email.lower() != invitation.email.lower():
            raise WrongAccount
        if Membership.objects.filter(
            user=user, company=invitation.company, status=MembershipStatus.SUSPENDED
        ).exists():
            # an invitation must not lift a suspension: only the company's administrator can
            raise InvitationLinkInvalid("suspended", invitation)
        membership, _created = Membership.objects.get_or_create(
            user=user, company=invitation.company, defaults={"role": Role.COLLABORATOR}
        )
        signed = set(invitation.authorisation.rights)
        membership.grants.exclude(right__in=signed).delete()
        Grant.objects.bulk_create(
            [Grant(membership=membership, right=right) for right in sorted(signed)],
            ignore_conflicts=True,
        )
        invitation.status = InvitationStatus.ACCEPTED
        invitation.accepted_at = now
        invitation.accepted_by = user
        invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
        audit_record(
            action=Action.ACCEPTED,
            actor=user,
            company=invitation.company,
            target=invitation,
            ip_address=ip_address,
            data={"rights": sorted(signed)},
        )
        inviter_notice_queue(invitation, now=now)
        money_rights_alert_queue(invitation, member=user, now=now)
    return membership


def invitation_accept_new_account(
    *,
    token: str,
    first_name: str,
    last_name: str,
    mobile: str,
    password: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Membership:
    """Create the invited person's account and accept, all or nothing. The account needs a mobile
    (its signing and login codes go there) and a password the validators accept; InvitationRefused
    (with its field) otherwise."""
    if not mobile:
        raise InvitationRefused(_("Saisissez votre numéro de mobile."), field="mobile")
    mobile = mobile_checked(mobile)
    with transaction.atomic():
        # lock: a double submit must find the link used, not race to create the same account
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(token_hash=hash_token(token))
            .first()
        )
        _check_usable(invitation, now=now)
        assert invitation is not None
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise AccountExists
        _check_password(
            password, User(email=invitation.email, first_name=first_name, last_name=last_name)
        )
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=invitation.email,
                    password=password,
                    first_name=first_name.strip(),
                    last_name=last_name.strip(),
                    mobile=mobile,
                )
        except IntegrityError:
            # race: another company's invitation created this account in between
            raise AccountExists from None
        return invitation_accept(token=token, user=user, ip_address=ip_address, now=now)


def password_refusals(password: str, candidate: User) -> list[str]:
    """What the password validators say of this password for this person (empty: it is good)."""
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as error:
        return list(error.messages)
    return []


def _check_password(password: str, candidate: User) -> None:
    if refusals := password_refusals(password, candidate):
        raise InvitationRefused(" ".join(refusals), field="password1")
