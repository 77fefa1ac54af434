"""A person's own account: changing the mobile that signing codes go to."""

import datetime
from functools import partial

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from otp import services as otp
from otp.models import SignatureChallenge
from otp.sms import send_sms
from portal import login_throttle
from portal.models import User

MOBILE_CHANGE = "mobile_change"


class MobileChangeRefused(Exception):
    """A refusal to show next to a field of the form."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def mobile_change_payload(*, user: User, new_mobile: str) -> dict[str, object]:
    """The code is bound to who changes their number and to which number."""
    return {"purpose": MOBILE_CHANGE, "user": user.pk, "mobile": new_mobile}


def mobile_change_request(
    *,
    user: User,
    password: str,
    new_mobile: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> SignatureChallenge:
    """Check the password, then send a code to the NEW number: it proves the person holds it."""
    # the login throttle: this password field must not be a way around it
    if wait := login_throttle.wait_seconds(email=user.email, ip_address=ip_address):
        raise MobileChangeRefused(login_throttle.message(wait), field="password")
    # authenticate(): a wrong password is recorded like a failed login
    if authenticate(None, username=user.email, password=password) != user:
        login_throttle.failure_record(email=user.email, ip_address=ip_address)
        raise MobileChangeRefused(_("Mot de passe incorrect."), field="password")
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
    from portal.tasks import warn_previous_mobile

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
            transaction.on_commit(
                partial(
                    warn_previous_mobile.delay,
                    previous_mobile=previous,
                    changed_at=now.isoformat(),
                )
            )
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


def mobile_change_warn(*, previous_mobile: str, changed_at: datetime.datetime) -> None:
    """Tell the previous number it no longer receives the codes: a thief's change is noticed."""
    when = timezone.localtime(changed_at)
    body = _(
        "Mes équipes : le numéro de mobile de votre compte a été changé le %(date)s à %(time)s. "
        "Si vous n’êtes pas à l’origine de ce changement, contactez immédiatement votre banque."
    ) % {"date": when.strftime("%d/%m/%Y"), "time": when.strftime("%H:%M")}
    send_sms(to=previous_mobile, body=body)
