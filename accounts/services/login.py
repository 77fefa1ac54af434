"""Checking a person's password behind the login throttle: every password field uses this."""

from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from accounts import login_throttle
from accounts.models import User
from audit.services import client_ip

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
