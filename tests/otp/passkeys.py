"""Passkeys for the signature tests: registered through the real service, with a software
authenticator (tests/passkey_authenticator.py) answering the options the portal hands out."""

import datetime
import uuid

from django.conf import settings

from accounts.models import User
from accounts.services.passkeys import passkey_register, passkey_registration_start
from otp.models import Passkey, SignatureChallenge
from otp.pages import passkey_panel
from otp.passkeys import PasskeyAssertion
from tests.otp.factories import NOW
from tests.passkey_authenticator import SoftAuthenticator


def authenticator() -> SoftAuthenticator:
    return SoftAuthenticator(rp_id=settings.WEBAUTHN_RP_ID, origin=settings.WEBAUTHN_ORIGIN)


def registered(
    user: User, *, name: str = "Ordinateur du bureau", now: datetime.datetime = NOW
) -> tuple[Passkey, SoftAuthenticator]:
    """A passkey of `user`, added as Mon compte adds one, and the authenticator that holds it."""
    device = authenticator()
    ceremony = passkey_registration_start(user=user, now=now)
    passkey = passkey_register(
        user=user,
        name=name,
        assertion=PasskeyAssertion(
            challenge_id=uuid.UUID(ceremony.challenge_id),
            credential=device.create(ceremony.options),
        ),
        ip_address="203.0.113.7",
        now=now,
    )
    return passkey, device


def signing_options(
    user: User, payload: dict, *, now: datetime.datetime = NOW
) -> tuple[uuid.UUID, str]:
    """What a signature page hands passkeys.js for this content: the challenge id and options."""
    panel = passkey_panel(
        signer=user, payload=payload, now=now, sign_url="/", submit_label="Signer"
    )
    assert panel is not None
    return uuid.UUID(panel.challenge_id), panel.options


def assertion(
    device: SoftAuthenticator, challenge_id: uuid.UUID, options: str, **kwargs
) -> PasskeyAssertion:
    return PasskeyAssertion(challenge_id=challenge_id, credential=device.get(options, **kwargs))


def challenge(challenge_id: uuid.UUID) -> SignatureChallenge:
    return SignatureChallenge.objects.get(pk=challenge_id)
