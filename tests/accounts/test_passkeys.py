"""Mon compte → Clés d’accès: list, add (user verification required), rename, remove with the
password and a second factor, never the last factor."""

import re

import pytest
from django.urls import reverse

from accounts.services.second_factors import second_factors_reset
from audit.models import Action, AuditEvent
from core import sms
from otp.models import Passkey
from tests.factories import PASSWORD, UserFactory
from tests.otp.factories import NOW, last_code, wrong_code
from tests.otp.passkeys import authenticator, registered

pytestmark = pytest.mark.django_db

LIST = "/compte/cles-d-acces/"
CREATE = re.compile(r'data-passkey-create="([^"]+)"')
GET = re.compile(r'data-passkey-get="([^"]+)"')
CHALLENGE = re.compile(r'name="challenge" value="([0-9a-f-]{36})"')


def unescaped(pattern: re.Pattern, html: str) -> str:
    match = pattern.search(html)
    assert match is not None, html
    return match.group(1).replace("&quot;", '"')


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def user():
    return UserFactory(
        first_name="Léa", last_name="Martin", mobile="+33612345678", mobile_confirmed_at=NOW
    )


@pytest.fixture
def client(user, client_for):
    return client_for(user)


def add_passkey(client, device, name="Ordinateur du bureau"):
    html = client.get(LIST).content.decode()
    return client.post(
        LIST,
        {
            "name": name,
            "method": "passkey",
            "challenge": unescaped(CHALLENGE, html),
            "credential": device.create(unescaped(CREATE, html)),
        },
    )


def remove_url(passkey) -> str:
    return reverse("accounts:passkey_remove", args=[passkey.pk])


# The list and adding one


def test_the_account_page_leads_to_the_passkeys(client):
    html = client.get("/compte/").content.decode()

    assert "Gérer mes clés d’accès" in html
    assert LIST in html


def test_the_list_says_when_there_is_none_and_hides_adding_until_the_script_runs(client):
    html = client.get(LIST).content.decode()

    assert "Aucune clé d’accès" in html
    assert "data-passkey-section hidden" in html
    assert "js/passkeys.js" in html


def test_the_creation_options_require_user_verification_and_prefer_a_resident_key(client):
    options = unescaped(CREATE, client.get(LIST).content.decode())

    assert '"userVerification": "required"' in options
    assert '"residentKey": "preferred"' in options
    assert '"attestation": "none"' in options


def test_a_passkey_is_added_with_its_name(client, user):
    response = add_passkey(client, authenticator())

    assert response.status_code == 302
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Ordinateur du bureau"
    assert passkey.transports == ["internal"]
    assert AuditEvent.objects.filter(action=Action.PASSKEY_ADDED, actor=user).exists()


def test_the_list_shows_name_creation_and_last_use(client, user):
    registered(user, name="Téléphone")

    html = client.get(LIST).content.decode()

    assert "Téléphone" in html
    assert "03/03/2025" in html
    assert "jamais" in html
    assert 'data-label="Dernière utilisation"' in html


def test_a_passkey_without_user_verification_is_not_added(client, user):
    device = authenticator()
    device.user_verified = False

    response = add_passkey(client, device)

    assert response.status_code == 400
    assert "n’a pas pu être enregistrée" in response.content.decode()
    assert not Passkey.objects.filter(user=user).exists()


def test_a_passkey_made_for_another_site_is_not_added(client, user):
    device = authenticator()
    device.rp_id = "portail-imite.example"

    response = add_passkey(client, device)

    assert response.status_code == 400
    assert not Passkey.objects.filter(user=user).exists()


def test_a_passkey_needs_a_name(client, user):
    response = add_passkey(client, authenticator(), name="   ")

    assert response.status_code == 400
    assert not Passkey.objects.filter(user=user).exists()


def test_the_same_credential_cannot_be_added_twice(client, user):
    device = authenticator()
    add_passkey(client, device)

    response = add_passkey(client, device, name="Encore")

    assert response.status_code == 400
    assert Passkey.objects.filter(user=user).count() == 1


def test_a_registration_challenge_is_used_once(client, user):
    html = client.get(LIST).content.decode()
    data = {
        "name": "Ordinateur",
        "method": "passkey",
        "challenge": unescaped(CHALLENGE, html),
        "credential": authenticator().create(unescaped(CREATE, html)),
    }
    client.post(LIST, data)
    data["credential"] = authenticator().create(unescaped(CREATE, html))

    response = client.post(LIST, data)

    assert response.status_code == 400
    assert Passkey.objects.filter(user=user).count() == 1


# Renaming


def test_a_passkey_is_renamed(client, user):
    passkey, _ = registered(user)

    response = client.post(
        reverse("accounts:passkey_rename", args=[passkey.pk]), {"name": "Portable"}
    )

    assert response.status_code == 302
    passkey.refresh_from_db()
    assert passkey.name == "Portable"


def test_someone_else_s_passkey_cannot_be_renamed_or_removed(client):
    passkey, _ = registered(UserFactory())

    rename = client.post(reverse("accounts:passkey_rename", args=[passkey.pk]), {"name": "X"})
    remove = client.get(remove_url(passkey))

    assert rename.status_code == 404
    assert remove.status_code == 404
    passkey.refresh_from_db()
    assert passkey.name == "Ordinateur du bureau"


# Removing: the password and a second factor


def test_a_passkey_is_removed_with_the_password_and_a_code_by_sms(client, user):
    passkey, _ = registered(user)
    client.post(reverse("accounts:passkey_remove_send_code", args=[passkey.pk]))

    response = client.post(remove_url(passkey), {"password": PASSWORD, "code": last_code()})

    assert response.status_code == 302
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    event = AuditEvent.objects.get(action=Action.PASSKEY_REMOVED, actor=user)
    assert event.data["factor"] == "sms"


def test_the_removal_code_names_the_passkey(client, user):
    passkey, _ = registered(user)

    client.post(reverse("accounts:passkey_remove_send_code", args=[passkey.pk]))

    assert "supprimer votre clé d’accès « Ordinateur du bureau »" in sms.outbox[-1].body


def test_a_wrong_password_keeps_the_passkey(client, user):
    passkey, _ = registered(user)
    client.post(reverse("accounts:passkey_remove_send_code", args=[passkey.pk]))

    response = client.post(remove_url(passkey), {"password": "mauvais", "code": last_code()})

    assert response.status_code == 400
    assert "Mot de passe incorrect" in response.content.decode()
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_a_wrong_code_keeps_the_passkey(client, user):
    passkey, _ = registered(user)
    client.post(reverse("accounts:passkey_remove_send_code", args=[passkey.pk]))

    response = client.post(
        remove_url(passkey), {"password": PASSWORD, "code": wrong_code(last_code())}
    )

    assert response.status_code == 400
    assert "Code incorrect" in response.content.decode()
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_a_code_sent_to_remove_one_passkey_does_not_remove_another(client, user):
    first, _ = registered(user)
    second, _ = registered(user, name="Téléphone")
    client.post(reverse("accounts:passkey_remove_send_code", args=[first.pk]))

    response = client.post(remove_url(second), {"password": PASSWORD, "code": last_code()})

    assert response.status_code == 400
    assert Passkey.objects.filter(pk=second.pk).exists()


def test_without_a_code_sent_nothing_is_removed(client, user):
    passkey, _ = registered(user)

    response = client.post(remove_url(passkey), {"password": PASSWORD, "code": "123456"})

    assert response.status_code == 400
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_a_passkey_is_removed_with_the_password_and_another_passkey(client, user):
    passkey, _ = registered(user)
    _, other_device = registered(user, name="Téléphone")
    html = client.get(remove_url(passkey)).content.decode()

    response = client.post(
        remove_url(passkey),
        {
            "password": PASSWORD,
            "method": "passkey",
            "challenge": unescaped(CHALLENGE, html),
            "credential": other_device.get(unescaped(GET, html)),
        },
    )

    assert response.status_code == 302
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    assert AuditEvent.objects.get(action=Action.PASSKEY_REMOVED).data["factor"] == "passkey"


def test_the_passkey_being_removed_cannot_confirm_its_own_removal(client, user):
    passkey, device = registered(user)
    registered(user, name="Téléphone")
    html = client.get(remove_url(passkey)).content.decode()

    response = client.post(
        remove_url(passkey),
        {
            "password": PASSWORD,
            "method": "passkey",
            "challenge": unescaped(CHALLENGE, html),
            "credential": device.get(unescaped(GET, html)),
        },
    )

    assert response.status_code == 400
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_with_a_single_passkey_only_the_sms_code_is_offered(client, user):
    passkey, _ = registered(user)

    html = client.get(remove_url(passkey)).content.decode()

    assert "Recevoir le code par SMS" in html
    assert "data-passkey-get" not in html


def test_the_only_passkey_of_someone_without_a_mobile_cannot_be_removed(client, user):
    passkey, _ = registered(user)
    user.mobile = ""
    user.save(update_fields=["mobile"])

    page = client.get(remove_url(passkey)).content.decode()
    send = client.post(reverse("accounts:passkey_remove_send_code", args=[passkey.pk]))

    assert "vous laisserait sans second facteur" in page
    assert "Recevoir le code par SMS" not in page
    assert send.status_code == 400
    assert not sms.outbox
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_the_only_passkey_of_someone_whose_mobile_is_unconfirmed_cannot_be_removed(client, user):
    passkey, _ = registered(user)
    user.mobile_confirmed_at = None
    user.save(update_fields=["mobile_confirmed_at"])

    client.post(reverse("accounts:passkey_remove_send_code", args=[passkey.pk]))

    assert not sms.outbox
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_someone_without_a_mobile_removes_one_of_two_passkeys_with_the_other(client, user):
    passkey, _ = registered(user)
    _, other_device = registered(user, name="Téléphone")
    user.mobile = ""
    user.save(update_fields=["mobile"])
    html = client.get(remove_url(passkey)).content.decode()

    response = client.post(
        remove_url(passkey),
        {
            "password": PASSWORD,
            "method": "passkey",
            "challenge": unescaped(CHALLENGE, html),
            "credential": other_device.get(unescaped(GET, html)),
        },
    )

    assert response.status_code == 302
    assert list(Passkey.objects.filter(user=user).values_list("name", flat=True)) == ["Téléphone"]


def test_support_resetting_the_second_factors_of_a_lost_phone_removes_the_passkeys(user):
    registered(user)
    registered(user, name="Téléphone")

    second_factors_reset(
        user_id=user.pk,
        actor=UserFactory(is_staff=True),
        reason="Téléphone perdu, identité vérifiée par appel au numéro connu",
        ip_address=None,
        now=NOW,
    )

    assert not Passkey.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action=Action.SECOND_FACTORS_RESET)
    assert event.data["passkeys_removed"] == 2
