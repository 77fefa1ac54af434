"""The life of an invitation: created, signed with an SMS code, emailed, accepted."""

import datetime
import hashlib
import logging
import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from invitations.models import OPEN_STATUSES, Invitation, InvitationStatus
from otp import services as otp
from otp.models import (
    AccessAuthorisation,
    AuthorisationKind,
    ChallengeStatus,
    SignatureChallenge,
)
from permissions.catalogue import CATALOGUE, Right, RightSpec, right_options, sorted_rights
from permissions.models import Grant
from portal import ratelimit
from portal.models import User
from teams.models import Company, Membership, Role

PURPOSE = "invitation"
DAY = 24 * 3600

logger = logging.getLogger(__name__)


class InvitationRefused(Exception):
    """A refusal to show the administrator, attached to a form field when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvitationLinkInvalid(Exception):
    """The link cannot be used; `reason` says why, for a clear page."""

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


class WrongAccount(Exception):
    """The invitation was made out to another email than the logged-in user's."""


class AccountExists(Exception):
    """Someone already has an account with the invited email: they must log in to accept."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def grantable_rights(company: Company) -> list[Any]:
    kinds = company.contracts.filter(status="active").values_list("kind", flat=True)
    return right_options(
        held_contract_kinds=kinds,
        has_entreprise_subscription=company.has_entreprise_subscription,
    )


def _check_rights(company: Company, rights: Iterable[str]) -> list[Right]:
    chosen = set(rights)
    if not chosen:
        raise InvitationRefused(_("Cochez au moins un droit à accorder."), field="rights")
    enabled = {option.code for option in grantable_rights(company) if option.enabled}
    if unknown := chosen - set(Right.values):
        raise InvitationRefused(
            _("Droit inconnu : %(r)s.") % {"r": ", ".join(sorted(unknown))}, field="rights"
        )
    if refused := chosen - enabled:
        labels = ", ".join(str(CATALOGUE[Right(r)].short_label) for r in sorted(refused))
        raise InvitationRefused(
            _("Ce droit ne peut pas être accordé dans votre entreprise : %(r)s.") % {"r": labels},
            field="rights",
        )
    return sorted_rights(chosen)


def _ceiling_key(company: Company) -> str:
    return f"invitations:company:{company.pk}"


def _count_against_daily_ceiling(company: Company, now: datetime.datetime) -> None:
    """A stolen session cannot mail thousands: a daily ceiling per company, shared by every process.

    Without Redis the ceiling is not enforced (logged): nothing is mailed without an SMS code, and
    sending codes needs Redis.
    """
    limit = settings.INVITATIONS_PER_COMPANY_PER_DAY
    try:
        decision = ratelimit.hit(_ceiling_key(company), limit=limit, window_seconds=DAY, now=now)
    except ratelimit.RateLimitUnavailable:
        logger.warning(
            "Invitation ceiling of company %s not checked: Redis unavailable.", company.pk
        )
        return
    if not decision.allowed:
        _uncount_against_daily_ceiling(company, now)
        raise InvitationRefused(
            _(
                "Votre entreprise a atteint le nombre maximal d’invitations pour aujourd’hui "
                "(%(limit)s). %(retry)s"
            )
            % {"limit": limit, "retry": ratelimit.retry_message(decision.retry_after_seconds)}
        )


def _uncount_against_daily_ceiling(company: Company, now: datetime.datetime) -> None:
    try:
        ratelimit.undo(_ceiling_key(company), window_seconds=DAY, now=now)
    except ratelimit.RateLimitUnavailable:
        logger.warning(
            "Invitation ceiling of company %s not corrected: Redis unavailable.", company.pk
        )


@transaction.atomic
def invitation_create(
    *,
    company: Company,
    invited_by: User,
    email: str,
    first_name: str,
    last_name: str,
    mobile: str = "",
    rights: Iterable[str],
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    email = email.strip().lower()
    chosen = _check_rights(company, rights)
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise InvitationRefused(
            _("Cette personne fait déjà partie de l’équipe de votre entreprise."), field="email"
        )
    # a link whose 7 days have passed no longer blocks a new invitation, swept or not
    Invitation.objects.filter(
        company=company, email__iexact=email, status=InvitationStatus.SENT, expires_at__lte=now
    ).update(status=InvitationStatus.EXPIRED)
    if Invitation.objects.open().filter(company=company, email__iexact=email).exists():
        raise InvitationRefused(
            _("Une invitation est déjà en cours pour cette adresse e-mail."), field="email"
        )
    _count_against_daily_ceiling(company, now)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                company=company,
                invited_by=invited_by,
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                mobile=mobile or "",
                rights=[r.value for r in chosen],
                created_at=now,
            )
    except IntegrityError:
        # race: another request created the same invitation in between
        _uncount_against_daily_ceiling(company, now)
        raise InvitationRefused(
            _("Une invitation est déjà en cours pour cette adresse e-mail."), field="email"
        ) from None
    audit_record(
        action=Action.INVITATION_CREATED,
        actor=invited_by,
        company=company,
        target=invitation,
        ip_address=ip_address,
        data={"rights": invitation.rights},
    )
    return invitation


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
    }


def signature_statement(invitation: Invitation, *, signer: User) -> str:
    return render_to_string(
        "invitations/statement.txt",
        {
            "invitation": invitation,
            "signer": signer,
            "rights": [CATALOGUE[r] for r in sorted_rights(invitation.rights)],
        },
    ).strip()


def _open_for_signature(invitation_id: int, company: Company) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("company", "challenge")
        .get(pk=invitation_id, company=company)
    )
    if invitation.status != InvitationStatus.AWAITING_SIGNATURE:
        raise InvitationRefused(_("Cette invitation a déjà été signée ou n’est plus en cours."))
    return invitation


def _sends_exhausted(
    challenge: SignatureChallenge | None,
    *,
    signer: User,
    payload: dict[str, Any],
    now: datetime.datetime,
) -> bool:
    """Whether the signer's open challenge for this same content has used all its sends."""
    return (
        challenge is not None
        and challenge.signer_id == signer.pk
        and challenge.status == ChallengeStatus.PENDING
        and now < challenge.expires_at
        and challenge.payload_digest == otp.payload_digest(payload)
        and challenge.send_count >= settings.OTP_MAX_SENDS
    )


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
        payload = signature_payload(invitation, signer=signer)
        challenge = invitation.challenge
        is_resend = otp.challenge_is_reusable(challenge, signer=signer, payload=payload, now=now)
        if not is_resend and _sends_exhausted(challenge, signer=signer, payload=payload, now=now):
            # a new challenge would bypass the cap on sends and its cool-down
            raise otp.TooManySends
        if not is_resend:
            challenge = otp.challenge_start(
                signer=signer, purpose=PURPOSE, payload=payload, now=now
            )
            invitation.challenge = challenge
            invitation.save(update_fields=["challenge"])
    assert challenge is not None
    reason = _("autoriser l’accès de %(name)s") % {"name": invitation.full_name}
    challenge = otp.challenge_send(challenge=challenge, signer=signer, now=now, reason=reason)
    audit_record(
        action=Action.CODE_SENT,
        actor=signer,
        company=company,
        target=invitation,
        ip_address=ip_address,
        data={"phone": challenge.phone_masked, "send": challenge.send_count, "resend": is_resend},
    )
    return challenge


def invitation_sign(
    *,
    invitation_id: int,
    company: Company,
    signer: User,
    code: str,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime,
) -> Invitation:
    """Check the code; if right, record the authorisation and queue the email in one transaction."""
    from invitations.tasks import queue_dispatch

    with transaction.atomic():
        invitation = _open_for_signature(invitation_id, company)
        if invitation.challenge is None or invitation.challenge.signer_id != signer.pk:
            # the code was sent to another administrator: this one asks for their own
            raise otp.CodeNotSent
        payload = signature_payload(invitation, signer=signer)
        verification = otp.challenge_verify(
            challenge_id=invitation.challenge_id, signer=signer, payload=payload, code=code, now=now
        )
        if verification.ok:
            invitation.authorisation = AccessAuthorisation.objects.create(
                kind=AuthorisationKind.INVITATION,
                challenge=verification.challenge,
                company=company,
                signer=signer,
                subject_email=invitation.email,
                subject_name=invitation.full_name,
                rights=payload["rights"],
                statement=signature_statement(invitation, signer=signer),
                payload_digest=verification.challenge.payload_digest,
                signed_at=now,
                ip_address=ip_address,
                user_agent=user_agent[:400],
                phone_masked=verification.challenge.phone_masked,
            )
            invitation.status = InvitationStatus.SIGNED
            invitation.signed_at = now
            invitation.save(update_fields=["authorisation", "status", "signed_at"])
            audit_record(
                action=Action.SIGNED,
                actor=signer,
                company=company,
                target=invitation,
                ip_address=ip_address,
                data={
                    "authorisation": str(invitation.authorisation.pk),
                    "rights": payload["rights"],
                },
            )
            transaction.on_commit(partial(queue_dispatch, invitation_id=invitation.pk))
        else:
            audit_record(
                action=Action.CODE_WRONG,
                actor=signer,
                company=company,
                target=invitation,
                ip_address=ip_address,
                data={
                    "outcome": verification.outcome.value,
                    "failed_attempts": verification.challenge.failed_attempts,
                },
            )
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return invitation


def signed_rights(invitation: Invitation) -> list[RightSpec]:
    """The rights as signed (the authorisation), not as the editable invitation row says."""
    authorisation = invitation.authorisation
    rights = authorisation.rights if authorisation is not None else invitation.rights
    return [CATALOGUE[r] for r in sorted_rights(rights)]


def acceptance_url(token: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("invitations:accept", args=[token])


def _invitation_email(invitation: Invitation, token: str) -> EmailMultiAlternatives:
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "inviter": invitation.invited_by,
        "rights": signed_rights(invitation),
        "url": acceptance_url(token),
        "expires_at": invitation.expires_at,
    }
    subject = _("%(inviter)s vous invite à rejoindre %(company)s sur Mes équipes") % {
        "inviter": invitation.invited_by.get_full_name(),
        "company": invitation.company.name,
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("invitations/email/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("invitations/email/invitation.html", context), "text/html"
    )
    return message


def invitation_dispatch(*, invitation_id: int, now: datetime.datetime) -> bool:
    """Email a signed invitation with a fresh single-use link. Run twice, it sends one email."""
    with transaction.atomic():
        # lock: two workers running the same dispatch must send one email
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("company", "invited_by", "authorisation")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or invitation.status != InvitationStatus.SIGNED:
            return False
        token = secrets.token_urlsafe(32)
        invitation.token_hash = hash_token(token)
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = now
        invitation.expires_at = now + datetime.timedelta(days=settings.INVITATION_LIFETIME_DAYS)
        invitation.send_attempts += 1
        invitation.save(
            update_fields=["token_hash", "status", "sent_at", "expires_at", "send_attempts"]
        )
        # an exception here rolls the row back to "signed", so a retry sends again
        _invitation_email(invitation, token).send()
        audit_record(action=Action.EMAILED, company=invitation.company, target=invitation)
    return True


@transaction.atomic
def invitation_mark_failed(*, invitation_id: int, now: datetime.datetime) -> Invitation | None:
    invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
    if invitation is None or invitation.status != InvitationStatus.SIGNED:
        return None
    invitation.status = InvitationStatus.FAILED
    invitation.failed_at = now
    invitation.save(update_fields=["status", "failed_at"])
    audit_record(action=Action.EMAIL_FAILED, company=invitation.company, target=invitation)
    return invitation


def invitation_resend(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    """A new email with a new link; the old link dies. The signed rights stay as they were."""
    from invitations.tasks import queue_dispatch

    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
        if invitation.status not in (InvitationStatus.SENT, InvitationStatus.FAILED):
            raise InvitationRefused(
                _("Seule une invitation envoyée ou en échec peut être renvoyée.")
            )
        invitation.status = InvitationStatus.SIGNED
        invitation.token_hash = None
        invitation.failed_at = None
        invitation.save(update_fields=["status", "token_hash", "failed_at"])
        audit_record(
            action=Action.RESENT,
            actor=actor,
            company=company,
            target=invitation,
            ip_address=ip_address,
        )
        transaction.on_commit(partial(queue_dispatch, invitation_id=invitation.pk))
    return invitation


@transaction.atomic
def invitation_revoke(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
    if invitation.status not in OPEN_STATUSES:
        raise InvitationRefused(_("Cette invitation n’est plus en cours."))
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = now
    invitation.save(update_fields=["status", "revoked_at"])
    audit_record(
        action=Action.REVOKED,
        actor=actor,
        company=company,
        target=invitation,
        ip_address=ip_address,
    )
    return invitation


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
    from invitations.tasks import notify_inviter

    with transaction.atomic():
        # lock: two acceptances of one link must make one membership
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("company", "authorisation")
            .filter(token_hash=hash_token(token))
            .first()
        )
        _check_usable(invitation, now=now)
        assert invitation is not None and invitation.authorisation is not None
        if user.email.lower() != invitation.email.lower():
            raise WrongAccount
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
        transaction.on_commit(partial(notify_inviter.delay, invitation_id=invitation.pk))
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
    """Create the invited person's account and accept, all or nothing."""
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
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            mobile=mobile or "",
        )
        return invitation_accept(token=token, user=user, ip_address=ip_address, now=now)


def notify_inviter_of_acceptance(*, invitation_id: int) -> None:
    invitation = Invitation.objects.select_related(
        "company", "invited_by", "accepted_by", "authorisation"
    ).get(pk=invitation_id)
    context = {
        "invitation": invitation,
        "company": invitation.company,
        "rights": signed_rights(invitation),
        "team_url": settings.PORTAL_BASE_URL.rstrip("/")
        + reverse("teams:team", args=[invitation.company_id]),
    }
    message = EmailMultiAlternatives(
        subject=_("%(name)s a rejoint %(company)s")
        % {"name": invitation.full_name, "company": invitation.company.name},
        body=render_to_string("invitations/email/accepted.txt", context),
        to=[invitation.invited_by.email],
    )
    message.attach_alternative(
        render_to_string("invitations/email/accepted.html", context), "text/html"
    )
    message.send()


def invitations_stalled(*, now: datetime.datetime) -> list[int]:
    """Signed invitations whose email was not sent: their dispatch was lost or is failing."""
    cutoff = now - datetime.timedelta(seconds=settings.INVITATION_DISPATCH_STALL_SECONDS)
    return list(
        Invitation.objects.filter(status=InvitationStatus.SIGNED, signed_at__lte=cutoff)
        .order_by("signed_at")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def invitations_expire(*, now: datetime.datetime) -> int:
    """Mark as expired the links whose 7 days have passed (periodic sweep)."""
    return Invitation.objects.filter(status=InvitationStatus.SENT, expires_at__lte=now).update(
        status=InvitationStatus.EXPIRED
    )
