"""Checking an SMS signature code: the row lock, the signer's lock check, the HOTP, the update."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from bench import results
from otp.models import SignatureChallenge
from otp.services import challenge_verify, payload_digest
from otp.services.challenges import expected_code

pytestmark = pytest.mark.django_db

PAYLOAD = {"invitation": "mesure", "rights": ["documents", "treasury"]}


def _sent_challenge(signer: User) -> SignatureChallenge:
    now = timezone.now()
    return SignatureChallenge.objects.create(
        signer=signer,
        purpose="invitation",
        payload_digest=payload_digest(PAYLOAD),
        phone_masked="+33 6 •• •• •• 42",
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=5),
        send_count=1,
        last_sent_at=now,
    )


def _verify(challenge: SignatureChallenge, code: str) -> None:
    with transaction.atomic():
        challenge_verify(
            challenge_id=challenge.pk,
            signer=challenge.signer,
            payload=PAYLOAD,
            code=code,
            now=timezone.now(),
        )


def test_right_code(benchmark, world):
    def setup():
        challenge = _sent_challenge(world.admin)
        return (challenge, expected_code(challenge))

    results.timed_with_setup(benchmark, "challenge_verify(): right code", _verify, setup, rounds=60)


def test_wrong_code(benchmark, world):
    def setup():
        # a fresh streak each round: the 20th wrong code in a row would lock signing
        User.objects.filter(pk=world.admin.pk).update(consecutive_wrong_codes=0)
        challenge = _sent_challenge(world.admin)
        wrong = f"{(int(expected_code(challenge)) + 1) % 1_000_000:06d}"
        return (challenge, wrong)

    results.timed_with_setup(benchmark, "challenge_verify(): wrong code", _verify, setup, rounds=60)
