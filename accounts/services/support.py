"""Support's edits of a person's account: the Django admin calls these, with the same rules
as its form."""

import phonenumbers
from django.db import transaction
from django.utils.translation import gettext_lazy
from phonenumber_field.phonenumber import PhoneNumber, to_python

from accounts.models import User
from audit.models import Action
from audit.reasons import reason_clean, reason_refusal
from audit.services import audit_record
from companies.models import Company, Membership
from companies.services import user_deactivation_refusal
from otp import services as otp

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
    reason: str,
) -> User:
    """Support saves a person's account, saying why; a changed mobile (the signing factor) and a
    changed email (the login and where invitations go) are audited with the reason."""
    if missing := reason_refusal(reason):
        raise UserRefused(missing, field="reason")
    reason = reason_clean(reason)
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
    previous_email = locked.email
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
        # a number support typed is confirmed by the person's next login code
        locked.mobile_confirmed_at = None
        locked.save(update_fields=["mobile_confirmed_at"])
        audit_record(
            action=Action.SUPPORT_MOBILE_CHANGED,
            actor=actor,
            target=locked,
            ip_address=ip_address,
            data={
                "previous": otp.mask_phone(previous) if previous else "",
                "new": otp.mask_phone(new) if new else "",
                "created": False,
                "reason": reason,
            },
        )
    if locked.email != previous_email:
        audit_record(
            action=Action.SUPPORT_EMAIL_CHANGED,
            actor=actor,
            target=locked,
            ip_address=ip_address,
            data={"previous": previous_email, "new": locked.email, "reason": reason},
        )
    return locked
