"""Support's help with a person's second factors: unlocking a locked login, resetting the factors
of a lost phone. Each needs a reason, is audited, and the person is emailed."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.sessions import sessions_end_all
from audit.models import Action
from audit.services import audit_record
from core import outbox
from otp.models import Passkey

REASON_MIN_WORDS = 3
REASON_MIN_LENGTH = 15


class SupportReasonRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def reason_refusal(reason: str) -> str:
    """Why this reason is not enough ("" when it is): a few words that someone can read later."""
    words = reason.split()
    if len(words) < REASON_MIN_WORDS or len(" ".join(words)) < REASON_MIN_LENGTH:
        return _(
            "Expliquez en quelques mots (au moins %(words)s) pourquoi, et comment l’identité de "
            "la personne a été vérifiée."
        ) % {"words": REASON_MIN_WORDS}
    return ""


def _checked_reason(reason: str) -> str:
    if refusal := reason_refusal(reason):
        raise SupportReasonRefused(refusal)
    return " ".join(reason.split())


def _notice_queue(user: User, *, template: str, subject: str, now: datetime.datetime) -> None:
    outbox.email_queue(
        key=f"accounts.{template}:{user.pk}:{now.isoformat()}",
        to=user.email,
        subject=subject % {"bank": settings.BANK_NAME},
        template=f"accounts/email/{template}",
        context={"user": user, "when": now, "support": settings.SUPPORT_CONTACT},
        about=user,
        now=now,
    )


@transaction.atomic
def login_unlock(
    *,
    user_id: int,
    actor: User | AnonymousUser,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> bool:
    """Support lets a person log in again after too many wrong second factors; False if their
    login was not locked."""
    reason = _checked_reason(reason)
    user = User.objects.select_for_update().get(pk=user_id)
    if user.login_locked_at is None:
        return False
    was_locked_at = user.login_locked_at
    user.login_locked_at = None
    user.consecutive_login_failures = 0
    user.save(update_fields=["login_locked_at", "consecutive_login_failures"])
    audit_record(
        action=Action.LOGIN_UNLOCKED,
        actor=actor,
        target=user,
        ip_address=ip_address,
        data={"reason": reason, "locked_at": was_locked_at.isoformat()},
    )
    _notice_queue(
        user,
        template="login_unlocked",
        subject=_("%(bank)s · Mes équipes : la connexion à votre compte est débloquée"),
        now=now,
    )
    return True


@transaction.atomic
def second_factors_reset(
    *,
    user_id: int,
    actor: User | AnonymousUser,
    reason: str,
    ip_address: str | None,
    now: datetime.datetime,
) -> User:
    """A lost phone: the person's mobile is no longer taken as confirmed (their next login code
    confirms it again, at the number support keeps or sets), their passkeys are removed (the lost
    device may hold one), every session of the account ends, and the login lock is lifted."""
    reason = _checked_reason(reason)
    user = User.objects.select_for_update().get(pk=user_id)
    user.mobile_confirmed_at = None
    user.login_locked_at = None
    user.consecutive_login_failures = 0
    user.save(
        update_fields=["mobile_confirmed_at", "login_locked_at", "consecutive_login_failures"]
    )
    passkeys_removed, _by_model = Passkey.objects.filter(user=user).delete()
    ended = sessions_end_all(user=user, now=now)
    audit_record(
        action=Action.SECOND_FACTORS_RESET,
        actor=actor,
        target=user,
        ip_address=ip_address,
        data={"reason": reason, "sessions_ended": ended, "passkeys_removed": passkeys_removed},
    )
    _notice_queue(
        user,
        template="second_factors_reset",
        subject=_("%(bank)s · Mes équipes : vos seconds facteurs ont été réinitialisés"),
        now=now,
    )
    return user
