"""A collaborator changes the mobile their signing codes go to: password, then a code sent to
the new number; the previous number is warned by SMS."""

import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.login import LoginRefused, authenticate_throttled
from audit.models import Action
from audit.services import audit_record, client_ip
from companies.models import Membership, Role
from core import outbox
from otp import services as otp
from otp.models import SignatureChallenge

MOBILE_CHANGE = "mobile_change"


def mobile_set_by_support_message() -> str:
    return _(
        "Vous êtes administrateur d’une entreprise : votre numéro de mobile est celui que la "
        "banque a enregistré pour vos signatures. Vous ne pouvez pas le changer vous-même : "
        "contactez %(support)s, qui le change après avoir vérifié votre identité."
    ) % {"support": settings.SUPPORT_CONTACT}


class MobileChangeRefused(Exception):
    """A refusal to show next to a field of the form."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def mobile_change_payload(*, user: User, new_mobile: str) -> dict[str, object]:
    """The code is bound to who changes their number and to which number."""
    return {"purpose": MOBILE_CHANGE, "user": user.pk, "mobile": new_mobile}


def mobile_is_bank_record(*, user: User) -> bool:
    """An administrator's mobile signs powers for a company: the bank's record, set by support.

    Otherwise a mailbox alone would be enough to take over signing (reset the password, log in,
    move the codes to a new number).
    """
    return Membership.objects.filter(user=user, role=Role.ADMIN).exists()


def mobile_change_request(
    *,
    request: HttpRequest | None,
    user: User,
    password: str,
    new_mobile: str,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Check the password, then send a code to the NEW number: it proves the person holds it."""
    if mobile_is_bank_record(user=user):
        raise MobileChangeRefused(mobile_set_by_support_message())
    ip_address = client_ip(request)
    # the login throttle: this password field must not be a way around it
    try:
        authenticate_throttled(request=request, email=user.email, password=password)
    except LoginRefused as refusal:
        message = refusal.message if refusal.throttled else _("Mot de passe incorrect.")
        raise MobileChangeRefused(message, field="password") from None
    if not user.mobile:
        raise otp.NoMobileNumber
    if str(user.mobile) == new_mobile:
        raise MobileChangeRefused(_("C’est déjà votre numéro de mobile."), field="mobile")
    # refused before a challenge is made: signing locked, too many SMS, Redis down
    otp.signing_check(signer=user, now=now)
    payload = mobile_change_payload(user=user, new_mobile=new_mobile)
    challenge = otp.challenge_start(
        signer=user, purpose=MOBILE_CHANGE, payload=payload, now=now, phone=new_mobile
    )
    challenge = otp.challenge_send(
        challenge=challenge,
        signer=user,
        now=now,
        reason=_("confirmer votre nouveau numéro de mobile"),
        phone=new_mobile,
    )
    audit_record(
        action=Action.CODE_SENT,
        actor=user,
        target=user,
        ip_address=ip_address,
        data={"purpose": MOBILE_CHANGE, "phone": challenge.phone_masked},
    )
    return challenge


def mobile_change_confirm(
    *,
    user: User,
    challenge_id: str,
    new_mobile: str,
    code: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> User:
    """With the right code the mobile changes; the previous number is told by SMS."""
    if mobile_is_bank_record(user=user):
        # became an administrator between the request and the code: support changes it now
        raise otp.SignatureError(mobile_set_by_support_message())

    with transaction.atomic():
        # lock: two confirmations must not both change the number
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not SignatureChallenge.objects.filter(
            pk=challenge_id, signer=locked, purpose=MOBILE_CHANGE
        ).exists():
            raise otp.CodeNotSent
        verification = otp.challenge_verify(
            challenge_id=challenge_id,
            signer=locked,
            payload=mobile_change_payload(user=locked, new_mobile=new_mobile),
            code=code,
            now=now,
        )
        if verification.ok:
            previous = str(locked.mobile)
            locked.mobile = new_mobile
            locked.save(update_fields=["mobile"])
            audit_record(
                action=Action.MOBILE_CHANGED,
                actor=locked,
                target=locked,
                ip_address=ip_address,
                data={
                    "previous": otp.mask_phone(previous),
                    "new": verification.challenge.phone_masked,
                },
            )
            mobile_change_warn(user=locked, previous_mobile=previous, changed_at=now)
        else:
            audit_record(
                action=Action.CODE_WRONG,
                actor=locked,
                target=locked,
                ip_address=ip_address,
                data={
                    "purpose": MOBILE_CHANGE,
                    "outcome": verification.outcome.value,
                    "failed_attempts": verification.challenge.failed_attempts,
                },
            )
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return locked


def mobile_change_warn(*, user: User, previous_mobile: str, changed_at: datetime.datetime) -> None:
    """Tell the previous number it no longer receives the codes: a thief's change is noticed."""
    when = timezone.localtime(changed_at)
    body = _(
        "Mes équipes : le numéro de mobile de votre compte a été changé le %(date)s à %(time)s. "
        "Si vous n’êtes pas à l’origine de ce changement, contactez immédiatement votre banque."
    ) % {"date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M")}
    outbox.sms_queue(
        key=f"portal.mobile_change:{user.pk}:{changed_at.isoformat()}",
        to=previous_mobile,
        text=body,
        about=user,
        now=changed_at,
    )
