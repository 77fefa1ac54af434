"""A person's passkeys in Mon compte: add one (named by them), rename, remove.

Removing one asks for the password and a second factor: a code sent by SMS to the mobile on
record, or another of their passkeys. Never the last factor: someone without a mobile on record
cannot remove their only passkey.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services.login import LoginRefused, authenticate_throttled
from audit.models import Action
from audit.services import audit_record, client_ip
from otp import services as otp
from otp.models import Passkey, SignatureChallenge
from otp.passkeys import (
    PasskeyAssertion,
    PasskeyRefused,
    assertion_verify,
    creation_options,
    passkey_challenge_start,
    registration_transports,
    registration_verify,
    request_options,
)

PASSKEY_REGISTER = "passkey_register"
PASSKEY_REMOVE = "passkey_remove"
NAME_MAX_LENGTH = 60


class PasskeyChangeRefused(Exception):
    """A refusal to show next to a field of the form (or above it when `field` is None)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def own_passkeys(*, user: User) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user).order_by("created_at", "pk")


def own_passkey(*, user: User, passkey_id: int) -> Passkey | None:
    """One of the person's passkeys, or None: someone else's looks missing."""
    return own_passkeys(user=user).filter(pk=passkey_id).first()


def registration_payload(*, user: User) -> dict[str, object]:
    return {"purpose": PASSKEY_REGISTER, "user": user.pk}


def removal_payload(*, user: User, passkey_id: int) -> dict[str, object]:
    """The code or the other passkey proves this removal, of this passkey, by this person."""
    return {"purpose": PASSKEY_REMOVE, "user": user.pk, "passkey": passkey_id}


@dataclass(frozen=True)
class Ceremony:
    """What passkeys.js needs: the challenge's id (posted back) and the options, as JSON."""

    challenge_id: str
    options: str


def passkey_registration_start(*, user: User, now: datetime.datetime) -> Ceremony:
    challenge = passkey_challenge_start(
        user=user, purpose=PASSKEY_REGISTER, payload=registration_payload(user=user), now=now
    )
    options = creation_options(
        user=user, challenge=challenge, passkeys=list(own_passkeys(user=user))
    )
    return Ceremony(challenge_id=str(challenge.pk), options=options)


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise PasskeyChangeRefused(
            _("Donnez un nom à votre clé d’accès, par exemple « Ordinateur du bureau »."),
            field="name",
        )
    if len(name) > NAME_MAX_LENGTH:
        raise PasskeyChangeRefused(
            _("Le nom compte au plus %(n)s caractères.") % {"n": NAME_MAX_LENGTH}, field="name"
        )
    return name


@transaction.atomic
def passkey_register(
    *,
    user: User,
    name: str,
    assertion: PasskeyAssertion,
    ip_address: str | None,
    now: datetime.datetime,
) -> Passkey:
    """Check the new credential (user verified, this site, this challenge) and keep it."""
    name = _clean_name(name)
    _challenge, verified = registration_verify(
        user=user, assertion=assertion, payload=registration_payload(user=user), now=now
    )
    if Passkey.objects.filter(credential_id=verified.credential_id).exists():
        raise PasskeyRefused(_("Cette clé d’accès est déjà enregistrée."))
    passkey = Passkey.objects.create(
        user=user,
        name=name,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=registration_transports(assertion.credential),
        created_at=now,
    )
    audit_record(
        action=Action.PASSKEY_ADDED,
        actor=user,
        target=user,
        ip_address=ip_address,
        data={"passkey": passkey.pk, "name": name},
    )
    return passkey


@transaction.atomic
def passkey_rename(*, user: User, passkey_id: int, name: str, ip_address: str | None) -> Passkey:
    name = _clean_name(name)
    passkey = own_passkeys(user=user).select_for_update().get(pk=passkey_id)
    previous = passkey.name
    passkey.name = name
    passkey.save(update_fields=["name"])
    audit_record(
        action=Action.PASSKEY_RENAMED,
        actor=user,
        target=user,
        ip_address=ip_address,
        data={"passkey": passkey.pk, "previous": previous, "name": name},
    )
    return passkey


def has_mobile_factor(user: User) -> bool:
    """A mobile on record whose code came back (a login code confirms it)."""
    return bool(user.mobile) and user.mobile_confirmed_at is not None


def passkey_removal_refusal(*, user: User, passkey: Passkey) -> str | None:
    """Why this passkey cannot be removed now (it is the last factor), or None."""
    others = own_passkeys(user=user).exclude(pk=passkey.pk).exists()
    if not others and not has_mobile_factor(user):
        return _(
            "C’est votre seule clé d’accès et aucun numéro de mobile confirmé n’est enregistré pour "
            "vous : la supprimer vous laisserait sans second facteur. Ajoutez d’abord une autre clé "
            "d’accès, ou demandez à %(support)s d’enregistrer votre mobile."
        ) % {"support": settings.SUPPORT_CONTACT}
    return None


def removal_passkey_ceremony(
    *, user: User, passkey: Passkey, now: datetime.datetime
) -> Ceremony | None:
    """Another passkey may confirm the removal: its options, or None when there is none."""
    others = list(own_passkeys(user=user).exclude(pk=passkey.pk))
    if not others:
        return None
    challenge = passkey_challenge_start(
        user=user,
        purpose=PASSKEY_REMOVE,
        payload=removal_payload(user=user, passkey_id=passkey.pk),
        now=now,
    )
    return Ceremony(
        challenge_id=str(challenge.pk),
        options=request_options(challenge=challenge, passkeys=others),
    )


def passkey_removal_send_code(
    *, user: User, passkey_id: int, ip_address: str | None, now: datetime.datetime
) -> SignatureChallenge:
    """Send a code to the mobile on record, bound to the removal of this passkey."""
    passkey = own_passkeys(user=user).get(pk=passkey_id)
    if (refusal := passkey_removal_refusal(user=user, passkey=passkey)) is not None:
        raise PasskeyChangeRefused(refusal)
    otp.signing_check(signer=user, now=now)
    challenge = otp.challenge_start(
        signer=user,
        purpose=PASSKEY_REMOVE,
        payload=removal_payload(user=user, passkey_id=passkey.pk),
        now=now,
    )
    challenge = otp.challenge_send(
        challenge=challenge,
        signer=user,
        now=now,
        reason=_("supprimer votre clé d’accès « %(name)s »") % {"name": passkey.name},
    )
    audit_record(
        action=Action.CODE_SENT,
        actor=user,
        target=user,
        ip_address=ip_address,
        data={"purpose": PASSKEY_REMOVE, "phone": challenge.phone_masked},
    )
    return challenge


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def passkey_remove(
    *,
    request: HttpRequest | None,
    user: User,
    passkey_id: int,
    password: str,
    code_challenge_id: str = "",
    code: str = "",
    assertion: PasskeyAssertion | None = None,
    now: datetime.datetime,
) -> Passkey:
    """The password, then the second factor (a code for this removal, or another passkey); then
    the passkey is gone. A wrong code is counted like any signing code."""
    try:
        authenticate_throttled(request=request, email=user.email, password=password)
    except LoginRefused as refusal:
        message = refusal.message if refusal.throttled else _("Mot de passe incorrect.")
        raise PasskeyChangeRefused(message, field="password") from None
    ip_address = client_ip(request)
    with transaction.atomic():
        # lock: two removals at once must not both pass the last-factor rule
        locked = User.objects.select_for_update().get(pk=user.pk)
        passkey = own_passkeys(user=locked).select_for_update().get(pk=passkey_id)
        if (last_factor := passkey_removal_refusal(user=locked, passkey=passkey)) is not None:
            raise PasskeyChangeRefused(last_factor)
        payload = removal_payload(user=locked, passkey_id=passkey.pk)
        if assertion is not None:
            verification = assertion_verify(
                user=locked,
                assertion=assertion,
                payload=payload,
                now=now,
                excluded_passkey_id=passkey.pk,
            )
        else:
            if (
                not _is_uuid(code_challenge_id)
                or not SignatureChallenge.objects.filter(
                    pk=code_challenge_id, signer=locked, purpose=PASSKEY_REMOVE
                ).exists()
            ):
                raise otp.CodeNotSent
            verification = otp.challenge_verify(
                challenge_id=code_challenge_id, signer=locked, payload=payload, code=code, now=now
            )
        if verification.ok:
            removed = Passkey(pk=passkey.pk, name=passkey.name, user=locked)
            passkey.delete()
            audit_record(
                action=Action.PASSKEY_REMOVED,
                actor=locked,
                target=locked,
                ip_address=ip_address,
                data={
                    "passkey": removed.pk,
                    "name": removed.name,
                    "factor": "passkey" if assertion is not None else "sms",
                },
            )
    if not verification.ok:
        raise otp.SignatureError(verification.message)
    return removed
