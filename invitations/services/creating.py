"""Creating an invitation: who is invited, with which rights the company may grant."""

import datetime
import logging
from collections.abc import Iterable, Mapping

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import validate_mobile
from accounts.models import User
from audit.models import Action
from audit.services import audit_record
from companies.models import Company, Membership
from core import outbox, ratelimit
from invitations.models import Invitation, InvitationStatus
from invitations.services.closing import close_signed_authorisation
from invitations.services.exceptions import InvitationRefused
from otp.models import ClosingReason
from permissions.catalogue import Right, sorted_rights
from permissions.end_dates import EndDateRefused, EndDates, end_dates_checked, local_today
from permissions.forms import end_date_field_name
from permissions.selectors import ungrantable_refusal

DAY = 24 * 3600
logger = logging.getLogger(__name__)

INVALID_EMAIL = gettext_lazy(
    "Saisissez une adresse e-mail valide, par exemple prenom.nom@entreprise.fr."
)
INVALID_PHONE = gettext_lazy(
    "Saisissez un numéro de mobile valide, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
)
NAME_MAX = 150


def mobile_checked(mobile: str) -> str:
    """The mobile in E.164 ("" for none), as the forms' PhoneNumberField reads it (French
    numbers without their prefix) and checked by the same `validate_mobile`: the SMS codes go to
    it, so a landline is refused. InvitationRefused (field "mobile") when it is not one."""
    if not mobile:
        return ""
    try:
        number = phonenumbers.parse(mobile, "FR")
    except phonenumbers.NumberParseException:
        raise InvitationRefused(str(INVALID_PHONE), field="mobile") from None
    if not phonenumbers.is_valid_number(number):
        raise InvitationRefused(str(INVALID_PHONE), field="mobile")
    try:
        validate_mobile(number)
    except ValidationError as error:
        raise InvitationRefused(error.messages[0], field="mobile") from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def invitee_refusals(*, email: str, first_name: str, last_name: str, mobile: str) -> dict[str, str]:
    """Why this person cannot be invited as written, by field: an email that is not one, a
    missing or too long name, a number that is not a mobile. Empty: they can."""
    refusals: dict[str, str] = {}
    try:
        validate_email(email.strip())
    except ValidationError:
        refusals["email"] = str(INVALID_EMAIL)
    for field, value, missing in (
        ("first_name", first_name, _("Indiquez le prénom.")),
        ("last_name", last_name, _("Indiquez le nom.")),
    ):
        if not value.strip():
            refusals[field] = missing
        elif len(value.strip()) > NAME_MAX:
            refusals[field] = _("%(max)s caractères au plus.") % {"max": NAME_MAX}
    try:
        mobile_checked(mobile)
    except InvitationRefused as refusal:
        refusals["mobile"] = refusal.message
    return refusals


def check_rights(company: Company, rights: Iterable[str]) -> list[Right]:
    chosen = set(rights)
    if not chosen:
        raise InvitationRefused(_("Cochez au moins un droit à accorder."), field="rights")
    if unknown := chosen - set(Right.values):
        raise InvitationRefused(
            _("Droit inconnu : %(r)s.") % {"r": ", ".join(sorted(unknown))}, field="rights"
        )
    if refusal := ungrantable_refusal(company, chosen):
        raise InvitationRefused(refusal, field="rights")
    return sorted_rights(chosen)


def check_end_dates(
    rights: Iterable[str],
    ends_on: Mapping[str, datetime.date | str | None] | None,
    *,
    now: datetime.datetime,
) -> EndDates:
    """The end dates of the chosen rights as stored, refused if one is past or too far."""
    try:
        return end_dates_checked(rights, ends_on or {}, today=local_today(now))
    except EndDateRefused as refusal:
        raise InvitationRefused(refusal.message, field=end_date_field_name(refusal.right)) from None


def _ceiling_key(company: Company) -> str:
    return f"invitations:company:{company.pk}"


def count_against_daily_ceiling(
    company: Company, now: datetime.datetime, *, invitees: int = 1
) -> None:
    """A stolen session cannot mail thousands: a daily ceiling per company, shared by every process;
    each invitee counts once, and a refusal gives back all it counted.

    Without Redis the ceiling is not enforced (logged): nothing is mailed without an SMS code, and
    sending codes needs Redis.
    """
    limit = settings.INVITATIONS_PER_COMPANY_PER_DAY
    for counted in range(1, invitees + 1):
        try:
            decision = ratelimit.hit(
                _ceiling_key(company), limit=limit, window_seconds=DAY, now=now
            )
        except ratelimit.RateLimitUnavailable:
            logger.warning(
                "Invitation ceiling of company %s not checked: Redis unavailable.", company.pk
            )
            return
        if not decision.allowed:
            uncount_against_daily_ceiling(company, now, invitees=counted)
            raise InvitationRefused(_ceiling_message(limit, decision, counted, invitees))


def _ceiling_message(limit: int, decision: ratelimit.Decision, counted: int, invitees: int) -> str:
    retry = ratelimit.retry_message(decision.retry_after_seconds)
    if invitees == 1:
        return _(
            "Votre entreprise a atteint le nombre maximal d’invitations pour aujourd’hui "
            "(%(limit)s). %(retry)s"
        ) % {"limit": limit, "retry": retry}
    left = max(limit - (decision.count - counted), 0)
    return _(
        "Ce groupe dépasse le nombre maximal d’invitations de votre entreprise pour aujourd’hui "
        "(%(limit)s) : vous pouvez encore en inviter %(left)s. %(retry)s"
    ) % {"limit": limit, "left": left, "retry": retry}


def uncount_against_daily_ceiling(
    company: Company, now: datetime.datetime, *, invitees: int = 1
) -> None:
    try:
        for _counted in range(invitees):
            ratelimit.undo(_ceiling_key(company), window_seconds=DAY, now=now)
    except ratelimit.RateLimitUnavailable:
        logger.warning(
            "Invitation ceiling of company %s not corrected: Redis unavailable.", company.pk
        )


def email_refusal(company: Company, email: str, now: datetime.datetime) -> str | None:
    """Why this address cannot be invited now (already a member, an invitation pending), or None."""
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        return _("Cette personne fait déjà partie de l’équipe de votre entreprise.")
    # a link whose 7 days have passed no longer blocks a new invitation, swept or not
    Invitation.objects.filter(
        company=company, email__iexact=email, status=InvitationStatus.SENT, expires_at__lte=now
    ).update(status=InvitationStatus.EXPIRED)
    if Invitation.objects.open().filter(company=company, email__iexact=email).exists():
        return _("Une invitation est déjà en cours pour cette adresse e-mail.")
    return None


def _resend_key(invitation: Invitation) -> str:
    return f"invitations:resend:{invitation.pk}"


def count_resend_against_limits(*, invitation: Invitation, now: datetime.datetime) -> None:
    """A resend mails the invitee again: it counts against the company's daily ceiling like a new
    invitation, and one invitation is resent at most INVITATION_RESENDS_PER_DAY times a day.

    Without Redis neither is enforced (logged), as for the ceiling.
    """
    limit = settings.INVITATION_RESENDS_PER_DAY
    key = _resend_key(invitation)
    try:
        decision = ratelimit.hit(key, limit=limit, window_seconds=DAY, now=now)
    except ratelimit.RateLimitUnavailable:
        logger.warning("Resends of invitation %s not counted: Redis unavailable.", invitation.pk)
        return
    if not decision.allowed:
        _undo(key, now)
        raise InvitationRefused(
            _(
                "Cette invitation a déjà été renvoyée %(limit)s fois aujourd’hui : vérifiez "
                "l’adresse e-mail avec la personne. %(retry)s"
            )
            % {"limit": limit, "retry": ratelimit.retry_message(decision.retry_after_seconds)}
        )
    try:
        count_against_daily_ceiling(invitation.company, now)
    except InvitationRefused:
        _undo(key, now)
        raise


def _undo(key: str, now: datetime.datetime) -> None:
    try:
        ratelimit.undo(key, window_seconds=DAY, now=now)
    except ratelimit.RateLimitUnavailable:
        logger.warning("Counter %s not corrected: Redis unavailable.", key)


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
    ends_on: Mapping[str, datetime.date | str | None] | None = None,
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    if refusals := invitee_refusals(
        email=email, first_name=first_name, last_name=last_name, mobile=mobile
    ):
        field, message = next(iter(refusals.items()))
        raise InvitationRefused(message, field=field)
    email = email.strip().lower()
    chosen = check_rights(company, rights)
    dates = check_end_dates(chosen, ends_on, now=now)
    if (refusal := email_refusal(company, email, now)) is not None:
        raise InvitationRefused(refusal, field="email")
    count_against_daily_ceiling(company, now)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                company=company,
                invited_by=invited_by,
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                mobile=mobile_checked(mobile),
                rights=[r.value for r in chosen],
                ends_on=dates,
                created_at=now,
            )
    except IntegrityError:
        # race: another request created the same invitation in between
        uncount_against_daily_ceiling(company, now)
        raise InvitationRefused(
            _("Une invitation est déjà en cours pour cette adresse e-mail."), field="email"
        ) from None
    audit_record(
        action=Action.INVITATION_CREATED,
        actor=invited_by,
        company=company,
        target=invitation,
        ip_address=ip_address,
        data={"rights": invitation.rights, **({"ends_on": dates} if dates else {})},
    )
    return invitation


@transaction.atomic
def invitation_edit_rights(
    *,
    invitation_id: int,
    company: Company,
    actor: User,
    rights: Iterable[str],
    ends_on: Mapping[str, datetime.date | str | None] | None = None,
    ip_address: str | None,
    now: datetime.datetime,
) -> Invitation:
    """New rights or end dates for an invitation not yet accepted: it needs a new signature,
    any link dies."""
    # lock: a dispatch or an acceptance running now must see the invitation before or after
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id, company=company)
    if not invitation.rights_can_be_edited:
        raise InvitationRefused(_("Cette invitation n’est plus en cours."))
    chosen = [r.value for r in check_rights(company, rights)]
    dates = check_end_dates(chosen, ends_on, now=now)
    previous = list(invitation.rights)
    previous_dates = dict(invitation.ends_on)
    if chosen == previous and dates == previous_dates:
        raise InvitationRefused(_("Vous n’avez modifié aucun droit."), field="rights")
    previous_status = invitation.status
    close_signed_authorisation(invitation, reason=ClosingReason.INVITATION_RIGHTS_EDITED, now=now)
    invitation.rights = chosen
    invitation.ends_on = dates
    invitation.status = InvitationStatus.AWAITING_SIGNATURE
    previous_batch = invitation.batch_id
    # its batch's code no longer covers it: it is signed on its own
    invitation.batch = None
    invitation.challenge = None
    invitation.authorisation = None
    invitation.token_hash = None
    invitation.signed_at = None
    invitation.sent_at = None
    invitation.expires_at = None
    invitation.failed_at = None
    # an email not sent yet carries the old signature's link: it is not sent
    outbox.messages_cancel(about=invitation, now=now)
    invitation.save(
        update_fields=[
            "rights",
            "ends_on",
            "status",
            "batch",
            "challenge",
            "authorisation",
            "token_hash",
            "signed_at",
            "sent_at",
            "expires_at",
            "failed_at",
        ]
    )
    audit_record(
        action=Action.INVITATION_RIGHTS_EDITED,
        actor=actor,
        company=company,
        target=invitation,
        ip_address=ip_address,
        data={
            "from": previous,
            "to": chosen,
            **({"ends_on": dates} if dates or previous_dates else {}),
            "previous_status": previous_status,
            **({"left_batch": previous_batch} if previous_batch is not None else {}),
        },
    )
    return invitation
