"""The second step by SMS: a code of its own purpose ("login") to the mobile on record, under the
same limits as a signing code (lifetime, 5 wrong codes, resend rules, SMS per hour and day)."""

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
    login_password_step,
    login_pending,
    login_pending_update,
    login_second_factor_complete,
    login_second_factor_failed,
)
from audit.models import Action
from audit.services import audit_record, client_ip
from otp import services as otp
from otp.models import LOGIN_PURPOSE, Passkey, SignatureChallenge


def no_second_factor_message() -> str:
    return str(otp.NoMobileNumber().message)


def login_sms_payload(*, user: User, nonce: str) -> dict[str, object]:
    """The code is bound to this account, its number and this very password step."""
    return {"purpose": LOGIN_PURPOSE, "user": user.pk, "mobile": str(user.mobile), "nonce": nonce}


def login_sms_challenge(request: HttpRequest, *, user: User) -> SignatureChallenge | None:
    """The pending login's challenge, whatever its state (None before any code was asked for)."""
    pending = login_pending(request) or {}
    challenge_id = pending.get("challenge")
    if not challenge_id:
        return None
    return SignatureChallenge.objects.filter(
        pk=challenge_id, signer=user, purpose=LOGIN_PURPOSE
    ).first()


def login_sms_send(
    *, request: HttpRequest, user: User, now: datetime.datetime
) -> SignatureChallenge:
    """Send the login code: the live challenge again (a resend keeps its count of wrong codes),
    or a new one once it is dead, used or expired."""
    if login_is_locked(user=user):
        raise SecondFactorRefused(login_locked_message())
    pending = login_pending(request)
    if pending is None:
        raise SecondFactorRefused(
            _("Votre connexion a expiré. Saisissez à nouveau votre mot de passe.")
        )
    if not user.mobile:
        raise otp.NoMobileNumber
    payload = login_sms_payload(user=user, nonce=str(pending["nonce"]))
    challenge = otp.live_challenge(
        login_sms_challenge(request, user=user), signer=user, payload=payload, now=now
    )
    is_resend = challenge is not None
    if challenge is None:
        challenge = otp.challenge_start(
            signer=user, purpose=LOGIN_PURPOSE, payload=payload, now=now
        )
        login_pending_update(request, challenge=str(challenge.pk))
    challenge = otp.challenge_send(
        challenge=challenge, signer=user, now=now, reason=_("vous connecter à votre espace")
    )
    audit_record(
        action=Action.CODE_SENT,
        actor=user,
        target=user,
        ip_address=client_ip(request),
        data={
            "purpose": LOGIN_PURPOSE,
            "phone": challenge.phone_masked,
            "send": challenge.send_count,
            "resend": is_resend,
        },
    )
    return challenge


def login_sms_verify(*, request: HttpRequest, user: User, code: str, now: datetime.datetime) -> str:
    """Check the login code; a right one logs in (returns where to go next), a wrong one counts
    on its challenge and in the account's streak."""
    pending = login_pending(request)
    challenge = login_sms_challenge(request, user=user)
    if pending is None:
        raise SecondFactorRefused(
            _("Votre connexion a expiré. Saisissez à nouveau votre mot de passe.")
        )
    if challenge is None:
        raise otp.CodeNotSent
    if login_is_locked(user=user):
        raise SecondFactorRefused(login_locked_message())
    payload = login_sms_payload(user=user, nonce=str(pending["nonce"]))
    locks_now = False
    with transaction.atomic():
        verification = otp.challenge_verify(
            challenge_id=challenge.pk,
            signer=user,
            payload=payload,
            code=code,
            now=now,
            purpose=LOGIN_PURPOSE,
        )
        if verification.ok:
            # the code reached this number: the mobile is confirmed (first login since it was set)
            User.objects.filter(pk=user.pk, mobile_confirmed_at__isnull=True).update(
                mobile_confirmed_at=now
            )
        elif verification.challenge.failed_attempts > challenge.failed_attempts:
            audit_record(
                action=Action.CODE_WRONG,
                actor=user,
                target=user,
                ip_address=client_ip(request),
                data={
                    "purpose": LOGIN_PURPOSE,
                    "outcome": verification.outcome.value,
                    "failed_attempts": verification.challenge.failed_attempts,
                },
            )
            locks_now = login_second_factor_failed(request=request, user=user, factor=Factor.SMS)
    # raised after the transaction: the wrong code and the lock stay counted
    if locks_now:
        raise SecondFactorRefused(login_locked_message())
    if verification.outcome is otp.Outcome.LOCKED:
        raise otp.SignatureError(
            _("Trop de codes erronés : ce code est bloqué. Demandez un nouveau code.")
        )
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return login_second_factor_complete(request=request, user=user, factor=Factor.SMS)


def login_start(*, request: HttpRequest, user: User, next_url: str, now: datetime.datetime) -> str:
    """The password was right: open the second step and send its code. Returns why no code went
    (too many SMS, the provider down), to show on the step, or "" (SecondFactorRefused: locked)."""
    login_password_step(request=request, user=user, next_url=next_url)
    # with a passkey the second step offers it first, and the SMS code on request
    if not user.mobile or Passkey.objects.filter(user=user).exists():
        return ""
    try:
        login_sms_send(request=request, user=user, now=now)
    except (otp.SignatureError, SecondFactorRefused) as refusal:
        return refusal.message
    return ""


def login_with_confirmed_mobile(
    *, request: HttpRequest, user: User, next_url: str, now: datetime.datetime
) -> str:
    """Both factors were given in one flow (a new account: its password chosen, its mobile just
    confirmed by a code): the session logs in. Returns where to go next."""
    login_password_step(request=request, user=user, next_url=next_url)
    return login_second_factor_complete(request=request, user=user, factor=Factor.SMS)
