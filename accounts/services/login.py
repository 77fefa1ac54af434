"""Logging in: the password behind the login throttle (every password field uses it), then the
second step, which every second factor (SMS code, passkey) completes the same way."""

import secrets
import time
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import login_throttle
from accounts.models import User
from accounts.services.sessions import session_record
from audit.models import Action
from audit.services import audit_record, client_ip
from core import outbox

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


# --- the second step: between the password and the second factor ---------------------------------

# The session holds no user until the second factor: request.user stays anonymous, so no view can
# forget to check; this key only says who typed a right password, when, and where they go next.
PENDING_SESSION_KEY = "portal_login_pending"
# which factor completed the login: shown in Mon compte, written in the login's audit event
FACTOR_SESSION_KEY = "portal_login_factor"


class Factor(StrEnum):
    SMS = "sms"
    PASSKEY = "passkey"


class SecondFactorRefused(Exception):
    """The second factor cannot be given now (login locked, nothing to give it with)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def login_locked_message() -> str:
    return _(
        "Trop de codes erronés ont été saisis : par sécurité, la connexion à votre compte est "
        "bloquée. Contactez %(support)s pour la débloquer après vérification de votre identité."
    ) % {"support": settings.SUPPORT_CONTACT}


def login_is_locked(*, user: User) -> bool:
    return User.objects.filter(pk=user.pk, login_locked_at__isnull=False).exists()


def login_password_step(*, request: HttpRequest, user: User, next_url: str) -> None:
    """The password was right: remember who, for the second step only (nothing else opens)."""
    if login_is_locked(user=user):
        raise SecondFactorRefused(login_locked_message())
    if request.user.is_authenticated:
        # another account in this browser: it ends before this one starts
        logout(request)
    # a new session key: a key planted before the password cannot ride the second step
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "at": int(time.time()),
        "next": next_url,
        "nonce": secrets.token_hex(16),
    }


def login_pending(request: HttpRequest) -> dict[str, Any] | None:
    """The pending login of this session, if its password was typed recently enough."""
    pending = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("at", 0)) > settings.LOGIN_SECOND_STEP_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    return pending


def login_pending_user(request: HttpRequest) -> User | None:
    """Who typed a right password in this session and has not given a second factor yet."""
    pending = login_pending(request)
    if pending is None:
        return None
    user = User.objects.filter(pk=int(pending.get("user") or 0), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
    return user


def login_pending_update(request: HttpRequest, **values: object) -> None:
    pending = login_pending(request)
    if pending is not None:
        request.session[PENDING_SESSION_KEY] = {**pending, **values}


def login_pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING_SESSION_KEY, None)


def login_second_factor_complete(*, request: HttpRequest, user: User, factor: str) -> str:
    """The second factor was given (an SMS code checked, a passkey assertion verified): the
    session logs in. Returns where to go next.

    Every way of giving a second factor ends here, so that the lock, the audit event (which
    factor), the session's record and the new-browser email are the same for all.
    """
    pending = login_pending(request)
    if pending is None or pending.get("user") != user.pk:
        raise SecondFactorRefused(
            _("Votre connexion a expiré. Saisissez à nouveau votre mot de passe.")
        )
    if login_is_locked(user=user):
        login_pending_clear(request)
        raise SecondFactorRefused(login_locked_message())
    User.objects.filter(pk=user.pk, consecutive_login_failures__gt=0).update(
        consecutive_login_failures=0
    )
    next_url = str(pending.get("next") or "")
    user.backend = str(pending["backend"])
    login_pending_clear(request)
    request.session[FACTOR_SESSION_KEY] = str(Factor(factor))
    # login() rotates the session key; the user_logged_in handler audits the login with its
    # factor and stamps portal_login_at
    login(request, user)
    session_record(request=request, user=user, factor=str(Factor(factor)), now=timezone.now())
    return next_url


@transaction.atomic
def login_second_factor_failed(*, request: HttpRequest | None, user: User, factor: str) -> bool:
    """Count a wrong second factor in the account's streak; True when this one locks login.

    The caller's wrong attempt is already counted on its own challenge; this is the account's
    count across challenges and factors (20 in a row: support unlocks)."""
    now = timezone.now()
    # lock: simultaneous wrong codes must each be counted
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.consecutive_login_failures += 1
    locks_now = (
        locked.login_locked_at is None
        and locked.consecutive_login_failures >= settings.LOGIN_MAX_FAILED_SECOND_FACTORS
    )
    if locks_now:
        locked.login_locked_at = now
    locked.save(update_fields=["consecutive_login_failures", "login_locked_at"])
    if locks_now:
        audit_record(
            action=Action.LOGIN_LOCKED,
            actor=locked,
            target=locked,
            ip_address=client_ip(request),
            data={"failures": locked.consecutive_login_failures, "factor": factor},
        )
        outbox.email_queue(
            key=f"accounts.login_locked:{locked.pk}:{now.isoformat()}",
            to=locked.email,
            subject=_("%(bank)s · Mes équipes : la connexion à votre compte est bloquée")
            % {"bank": settings.BANK_NAME},
            template="accounts/email/login_locked",
            context={
                "user": locked,
                "locked_at": now,
                "failures": settings.LOGIN_MAX_FAILED_SECOND_FACTORS,
                "support": settings.SUPPORT_CONTACT,
            },
            about=locked,
            now=now,
        )
    return locks_now
