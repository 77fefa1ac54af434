"""Accepting the emailed link: once, by the invited email only, with the signed rights."""

import datetime
from typing import Any

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
from invitations.services.mobile_confirmation import (
    acceptance_code_check,
    acceptance_code_send,
    acceptance_pending_new,
)
from otp import services as otp
from permissions.end_dates import as_date
from permissions.models import Grant


def invitation_for_token(token: str, *, now: datetime.datetime) -> Invitation:
    """The invitation a link opens, or InvitationLinkInvalid with a reason for a clear page."""
    invitation = (
        Invitation.objects.select_related("company", "invited_by", "authorisation")
        .filter(token_hash=hash_token(token))
        .first()
    )
    _check_usable(invitation, now=now, token=token)
    assert invitation is not None
    return invitation


def _replaced_link_refusal(token: str, now: datetime.datetime) -> InvitationLinkInvalid:
    """An unknown link may be one a newer email replaced: say so while the newer one works."""
    invitation = (
        Invitation.objects.select_related("company", "invited_by")
        .filter(replaced_token_hash=hash_token(token))
        .first()
    )
    if invitation is None:
        return InvitationLinkInvalid("unknown")
    try:
        _check_usable(invitation, now=now)
    except InvitationLinkInvalid as refusal:
        return refusal
    return InvitationLinkInvalid("replaced", invitation)


def _check_usable(
    invitation: Invitation | None, *, now: datetime.datetime, token: str = ""
) -> None:
    if invitation is None:
        raise _replaced_link_refusal(token, now) if token else InvitationLinkInvalid("unknown")
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
        _check_usable(invitation, now=now, token=token)
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
        ends_on = invitation.authorisation.ends_on
        membership.grants.exclude(right__in=signed).delete()
        # a right held already takes the signed end date (or none) too
        Grant.objects.bulk_create(
            [
                Grant(membership=membership, right=right, ends_on=as_date(ends_on.get(right)))
                for right in sorted(signed)
            ],
            update_conflicts=True,
            unique_fields=["membership", "right"],
            update_fields=["ends_on"],
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


def invitation_acceptance_begin(
    *,
    token: str,
    first_name: str,
    last_name: str,
    mobile: str,
    password: str,
    now: datetime.datetime,
) -> dict[str, Any]:
    """Check what the invited person typed and send a code to their mobile: the account is made
    only once the code comes back (invitation_accept_new_account). Returns the pending acceptance
    to keep in their session (the password only as its hash). The account needs a mobile (its
    login and signing codes go there) and a password the validators accept; InvitationRefused
    (with its field) otherwise."""
    if not mobile:
        raise InvitationRefused(_("Saisissez votre numéro de mobile."), field="mobile")
    mobile = mobile_checked(mobile)
    invitation = invitation_for_token(token, now=now)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise AccountExists
    _check_password(
        password, User(email=invitation.email, first_name=first_name, last_name=last_name)
    )
    pending = acceptance_pending_new(
        invitation=invitation,
        first_name=first_name,
        last_name=last_name,
        mobile=mobile,
        password=password,
        now=now,
    )
    return acceptance_code_send(invitation=invitation, pending=pending, now=now)


def invitation_acceptance_resend(
    *, token: str, pending: dict[str, Any], now: datetime.datetime
) -> dict[str, Any]:
    """The code again, to the same number (the resend rules of a signing code)."""
    invitation = invitation_for_token(token, now=now)
    if pending.get("invitation") != invitation.pk:
        raise otp.CodeNotSent
    return acceptance_code_send(invitation=invitation, pending=pending, now=now)


def invitation_accept_new_account(
    *,
    token: str,
    pending: dict[str, Any],
    code: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> Membership:
    """With the code sent to the number typed, create the invited person's account (its mobile
    confirmed) and accept, all or nothing. A wrong, expired or stale code raises otp's
    SignatureError and creates nothing."""
    invitation = invitation_for_token(token, now=now)
    acceptance_code_check(invitation=invitation, pending=pending, code=code, now=now)
    with transaction.atomic():
        # lock: a double submit must find the link used, not race to create the same account
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .filter(token_hash=hash_token(token))
            .first()
        )
        _check_usable(locked, now=now, token=token)
        assert locked is not None
        if User.objects.filter(email__iexact=locked.email).exists():
            raise AccountExists
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=locked.email,
                    password=None,
                    first_name=str(pending["first_name"]),
                    last_name=str(pending["last_name"]),
                    mobile=str(pending["mobile"]),
                    mobile_confirmed_at=now,
                )
                user.password = str(pending["password_hash"])
                user.save(update_fields=["password"])
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
