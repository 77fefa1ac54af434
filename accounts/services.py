"""A person's own account: checking their password, changing the mobile that signing codes go to."""

import datetime

import phonenumbers
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import PhoneNumber, to_python

from accounts import login_throttle
from accounts.models import User
from audit.models import Action
from audit.services import audit_record, client_ip
from companies.models import Company, Membership, Role
from companies.services import user_deactivation_refusal
from core import outbox
from otp import services as otp
from otp.models import SignatureChallenge

MOBILE_CHANGE = "mobile_change"
# One message whatever went wrong: it must not tell whether the email has an account.
INVALID_LOGIN = gettext_lazy("Adresse e-mail ou mot de passe incorrect.")


class LoginRefused(Exception):
    """A password that was not checked (too many attempts) or was wrong, with what to show."""

    def __init__(self, message: str, *, throttled: bool) -> None:
        super().__init__(message)
        self.message = message
        self.throttled = throttled


def authenticate_throttled(*, request: HttpRequest | None, email: str, password: str) -> User:
    """Check a password behind the login throttle: every password field of the portal uses this.

    The throttle is asked first, so a throttled attempt checks no password; a wrong password is
    counted for the email as typed (known or not) and for the address; a right one ends the streak.
    authenticate() sends the signals the audit trail records (login failed).
    """
    ip_address = client_ip(request)
    if wait := login_throttle.wait_seconds(email=email, ip_address=ip_address):
        raise LoginRefused(login_throttle.message(wait), throttled=True)
    user = authenticate(request, username=email, password=password)
    if not isinstance(user, User) or not user.is_active:
        login_throttle.failure_record(email=email, ip_address=ip_address)
        raise LoginRefused(str(INVALID_LOGIN), throttled=False)
    login_throttle.success_record(email=email)
    return user


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


# --- support's edits of a person's account (the Django admin calls these) ----------------------

MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
NOT_A_MOBILE = gettext_lazy("Saisissez un numéro de mobile (par exemple +33 6 12 34 56 78).")
EMAIL_TAKEN = gettext_lazy("Un utilisateur avec cette adresse e-mail existe déjà.")


class UserRefused(Exception):
    """A refusal to show support, beside the form field it concerns when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def mobile_refusal(mobile: PhoneNumber | str | None) -> UserRefused | None:
    """Signing codes go by SMS: a landline, or no number at all, would never receive them."""
    if not mobile:
        return None
    number = to_python(mobile, region="FR")
    if (
        not isinstance(number, PhoneNumber)
        or not number.is_valid()
        or phonenumbers.number_type(number) not in MOBILE_TYPES
    ):
        return UserRefused(str(NOT_A_MOBILE), field="mobile")
    return None


def user_update_refusal(
    *, user_id: int | None, email: str, mobile: PhoneNumber | str | None, deactivating: bool
) -> UserRefused | None:
    """Why support cannot save this person so: a mobile that receives no SMS, another person's
    email (whatever its case), or the last active administrator of a company deactivated."""
    if refusal := mobile_refusal(mobile):
        return refusal
    others = User.objects.filter(email__iexact=email.strip())
    if (others.exclude(pk=user_id) if user_id else others).exists():
        return UserRefused(str(EMAIL_TAKEN), field="email")
    last_admin = user_deactivation_refusal(user_id=user_id) if deactivating and user_id else None
    return UserRefused(last_admin) if last_admin else None


@transaction.atomic
def user_update_by_support(
    *,
    user: User,
    email: str,
    first_name: str,
    last_name: str,
    mobile: PhoneNumber | str | None,
    is_active: bool,
    is_staff: bool,
    is_superuser: bool,
    actor: User,
    ip_address: str | None,
) -> User:
    """Support saves a person's account; a changed mobile (the signing factor) is audited."""
    # lock: the person's companies, as a team change does, so the last-administrator rule holds
    companies = Membership.objects.filter(user_id=user.pk).values("company_id")
    list(Company.objects.select_for_update().filter(pk__in=companies).order_by("pk").values("pk"))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if refusal := user_update_refusal(
        user_id=locked.pk,
        email=email,
        mobile=mobile,
        deactivating=locked.is_active and not is_active,
    ):
        raise refusal
    previous = str(locked.mobile) if locked.mobile else ""
    locked.email = email.strip().lower()
    locked.first_name = first_name
    locked.last_name = last_name
    locked.mobile = to_python(mobile, region="FR") if mobile else ""  # type: ignore[assignment]
    locked.is_active = is_active
    locked.is_staff = is_staff
    locked.is_superuser = is_superuser
    locked.save(
        update_fields=[
            "email",
            "first_name",
            "last_name",
            "mobile",
            "is_active",
            "is_staff",
            "is_superuser",
        ]
    )
    new = str(locked.mobile) if locked.mobile else ""
    if new != previous:
        audit_record(
            action=Action.SUPPORT_MOBILE_CHANGED,
            actor=actor,
            target=locked,
            ip_address=ip_address,
            data={
                "previous": otp.mask_phone(previous) if previous else "",
                "new": otp.mask_phone(new) if new else "",
                "created": False,
            },
        )
    return locked
