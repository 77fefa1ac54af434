"""Passwords are stored with Argon2id (OWASP's parameters); older PBKDF2 hashes are redone at the
next login."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, identify_hasher, make_password
from django.urls import reverse

from accounts.models import User
from portal import settings as production_settings
from tests.factories import PASSWORD, UserFactory
from tests.login import log_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_hashers(settings):
    """The production list (the suite keeps MD5 for speed)."""
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS


def test_argon2id_with_owasps_parameters_comes_first(production_hashers):
    encoded = make_password("un-mot-de-passe-bien-long")

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_pbkdf2_hash_is_upgraded_to_argon2id_at_the_next_login(client, production_hashers):
    user = UserFactory.create()
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))

    response = log_in(client, user.email)

    assert response.url == reverse("portal:company_picker")
    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)


def test_an_argon2_hash_with_weaker_parameters_is_redone(client, production_hashers):
    user = UserFactory.create()
    weaker = "argon2$argon2id$v=19$m=4096,t=1,p=8$"

    class Weaker(Argon2PasswordHasher):  # Django's defaults before OWASP's
        memory_cost = 4096
        time_cost = 1

    User.objects.filter(pk=user.pk).update(password=Weaker().encode(PASSWORD, Weaker().salt()))
    assert User.objects.get(pk=user.pk).password.startswith(weaker)

    log_in(client, user.email)

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
