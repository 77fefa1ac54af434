"""The second step with a passkey: an assertion bound to this very password step (the pending
login's nonce), user verification required; it completes the login like a code does."""

import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.login import (
    Factor,
    SecondFactorRefused,
    login_is_locked,
    login_locked_message,
    login_pending,
    login_second_factor_complete,
    login_second_factor_failed,
)
from accounts.services.passkeys import Ceremony, own_passkeys
from otp.models import LOGIN_PURPOSE
from otp.passkeys import (
    PasskeyAssertion,
    PasskeyRefused,
    assertion_verify,
    passkey_challenge_start,
    request_options,
)


def _expired() -> SecondFactorRefused:
    return SecondFactorRefused(
        _("Votre connexion a expiré. Saisissez à nouveau votre mot de passe.")
    )


def login_passkey_payload(*, user: User, nonce: str) -> dict[str, object]:
    """The assertion is bound to this account and this very password step: it never signs."""
    return {"purpose": LOGIN_PURPOSE, "factor": "passkey", "user": user.pk, "nonce": nonce}


def login_passkey_ceremony(
    request: HttpRequest, *, user: User, now: datetime.datetime
) -> Ceremony | None:
    """The options of navigator.credentials.get() for the pending login, or None: no passkey."""
    pending = login_pending(request)
    passkeys = list(own_passkeys(user=user))
    if pending is None or not passkeys:
        return None
    challenge = passkey_challenge_start(
        user=user,
        purpose=LOGIN_PURPOSE,
        payload=login_passkey_payload(user=user, nonce=str(pending["nonce"])),
        now=now,
    )
    return Ceremony(
        challenge_id=str(challenge.pk),
        options=request_options(challenge=challenge, passkeys=passkeys),
    )


def login_passkey_verify(
    *, request: HttpRequest, user: User, assertion: PasskeyAssertion, now: datetime.datetime
) -> str:
    """Check the assertion; a right one logs in (returns where to go next), a refused one counts
    in the account's streak of wrong second factors."""
    pending = login_pending(request)
    if pending is None:
        raise _expired()
    if login_is_locked(user=user):
        raise SecondFactorRefused(login_locked_message())
    payload = login_passkey_payload(user=user, nonce=str(pending["nonce"]))
    try:
        with transaction.atomic():
            assertion_verify(user=user, assertion=assertion, payload=payload, now=now)
    except PasskeyRefused:
        if login_second_factor_failed(request=request, user=user, factor=Factor.PASSKEY):
            raise SecondFactorRefused(login_locked_message()) from None
        raise
    return login_second_factor_complete(request=request, user=user, factor=Factor.PASSKEY)
