"""Changing one's own mobile: the password, then a code sent to the NEW number; the old one is
told by SMS; a code for one number never confirms another."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from accounts.services import mobile_change_warn
from accounts.views import MOBILE_CHANGE_SESSION_KEY
from audit.models import Action, AuditEvent
from companies.models import MembershipStatus, Role
from core import sms
from otp.models import SignatureChallenge
from portal.celery import app
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory, UserFactory
from tests.otp.factories import last_code, wrong_code
from tests.outbox import run_tasks

pytestmark = pytest.mark.django_db

OLD = "+33612345642"
NEW = "+33698765432"
CHANGE_URL = reverse("accounts:mobile_change")
CONFIRM_URL = reverse("accounts:mobile_change_confirm")


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def eager_tasks(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)


@pytest.fixture
def user(collaborator_with):
    """A collaborator: they change their own mobile (an administrator's is the bank's record)."""
    return collaborator_with(user=UserFactory.create(mobile=OLD)).user


@pytest.fixture
def administrator(company):
    return MembershipFactory.create(
        company=company, role=Role.ADMIN, user=UserFactory.create(mobile=OLD)
    ).user


@pytest.fixture
def client(client_for, user):
    return client_for(user)


def ask_code(client, *, password=PASSWORD, mobile="06 98 76 54 32"):
    return client.post(CHANGE_URL, {"password": password, "mobile": mobile})


def test_the_account_page_offers_to_change_the_mobile(client):
    response = client.get(reverse("accounts:account"))

    assert response.status_code == 200
    assert "Mon compte" in response.text
    assert "+33 6 •• •• •• 42" in response.text
    assert f'href="{CHANGE_URL}"' in response.text
    assert "Changer de numéro de mobile" in response.text


def test_the_account_page_of_an_administrator_says_support_changes_the_mobile(
    client_for, administrator
):
    response = client_for(administrator).get(reverse("accounts:account"))

    assert response.status_code == 200
    assert "+33 6 •• •• •• 42" in response.text
    assert "Vous êtes administrateur d’une entreprise" in response.text
    assert "qui le change après avoir vérifié votre identité" in response.text
    assert CHANGE_URL not in response.text
    assert "Changer de numéro de mobile" not in response.text


def test_an_administrator_cannot_open_the_mobile_change_form(client_for, administrator):
    response = client_for(administrator).get(CHANGE_URL)

    assert response.status_code == 403
    assert "Vous êtes administrateur d’une entreprise" in response.text
    assert 'name="password"' not in response.text


def test_a_crafted_post_of_an_administrator_sends_no_code_and_changes_nothing(
    client_for, administrator
):
    response = ask_code(client_for(administrator))

    assert response.status_code == 403
    assert sms.outbox == []
    assert not SignatureChallenge.objects.filter(signer=administrator).exists()
    administrator.refresh_from_db()
    assert str(administrator.mobile) == OLD


def test_an_administrator_of_any_company_even_suspended_keeps_the_banks_record(client_for):
    collaborator = MembershipFactory.create(user=UserFactory.create(mobile=OLD))
    MembershipFactory.create(
        user=collaborator.user,
        company=CompanyFactory.create(),
        role=Role.ADMIN,
        status=MembershipStatus.SUSPENDED,
    )

    response = ask_code(client_for(collaborator.user))

    assert response.status_code == 403
    assert sms.outbox == []


def test_a_code_asked_before_becoming_administrator_cannot_change_the_mobile(client, user, company):
    ask_code(client)
    MembershipFactory.create(user=user, company=CompanyFactory.create(), role=Role.ADMIN)

    response = client.post(CONFIRM_URL, {"code": last_code()})

    assert response.status_code == 403
    user.refresh_from_db()
    assert str(user.mobile) == OLD


def test_the_header_links_to_my_account(client):
    response = client.get(reverse("portal:company_picker"))

    assert f'href="{reverse("accounts:account")}"' in response.text


def test_the_form_asks_for_the_password_and_the_new_number_in_french(client):
    response = client.get(CHANGE_URL)

    assert "Mot de passe actuel" in response.text
    assert "Nouveau numéro de mobile" in response.text


def test_the_code_goes_to_the_new_number_not_the_old_one(client, user):
    response = ask_code(client)

    assert response.status_code == 302
    assert response.url == CONFIRM_URL
    [message] = sms.outbox
    assert message.to == NEW
    assert "nouveau numéro de mobile" in message.body
    user.refresh_from_db()
    assert str(user.mobile) == OLD


def test_a_wrong_password_sends_nothing_and_says_so_in_french(client, user):
    response = ask_code(client, password="pas-le-bon-mot-de-passe")

    assert response.status_code == 200
    assert "Mot de passe incorrect." in response.text
    assert sms.outbox == []
    assert AuditEvent.objects.filter(action=Action.LOGIN_FAILED).exists()


def test_a_landline_is_refused(client):
    response = ask_code(client, mobile="01 23 45 67 89")

    assert "Saisissez un numéro de mobile" in response.text
    assert sms.outbox == []


def test_the_same_number_is_refused(client):
    response = ask_code(client, mobile="06 12 34 56 42")

    assert "C’est déjà votre numéro de mobile." in response.text
    assert sms.outbox == []


def test_someone_without_a_mobile_is_told_to_ask_support(client_for, collaborator_with):
    user = collaborator_with(user=UserFactory.create(mobile="")).user
    client = client_for(user)

    response = ask_code(client)

    assert "support de la banque" in response.text
    assert sms.outbox == []


def test_the_right_code_changes_the_number_and_warns_the_old_one(
    client, user, eager_tasks, django_capture_on_commit_callbacks
):
    ask_code(client)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CONFIRM_URL, {"code": last_code()}, follow=True)

    user.refresh_from_db()
    assert str(user.mobile) == NEW
    assert "Votre numéro de mobile est changé" in response.text
    warning = sms.outbox[-1]
    assert warning.to == OLD
    assert "a été changé" in warning.body
    assert "contactez immédiatement votre banque" in warning.body
    assert MOBILE_CHANGE_SESSION_KEY not in client.session


def test_the_change_is_in_the_audit_trail_with_masked_numbers(client, user, eager_tasks):
    ask_code(client)
    client.post(CONFIRM_URL, {"code": last_code()})

    event = AuditEvent.objects.get(action=Action.MOBILE_CHANGED)
    assert event.actor_id == user.pk
    assert event.data == {"previous": "+33 6 •• •• •• 42", "new": "+33 6 •• •• •• 32"}


def test_a_wrong_code_changes_nothing(client, user):
    ask_code(client)

    response = client.post(CONFIRM_URL, {"code": wrong_code(last_code())})

    assert "Code incorrect" in response.text
    user.refresh_from_db()
    assert str(user.mobile) == OLD


def test_five_wrong_codes_lock_the_change_even_if_the_sixth_is_right(client, user):
    ask_code(client)
    code = last_code()
    for _ in range(5):
        client.post(CONFIRM_URL, {"code": wrong_code(code)})

    response = client.post(CONFIRM_URL, {"code": code})

    assert "bloqué" in response.text
    user.refresh_from_db()
    assert str(user.mobile) == OLD


def test_a_code_sent_to_one_number_cannot_confirm_another(client, user):
    ask_code(client)
    code = last_code()
    session = client.session
    session[MOBILE_CHANGE_SESSION_KEY] = {
        **session[MOBILE_CHANGE_SESSION_KEY],
        "mobile": NEW[:-2] + "99",
    }
    session.save()

    response = client.post(CONFIRM_URL, {"code": code})

    assert "Le contenu à signer a changé" in response.text
    user.refresh_from_db()
    assert str(user.mobile) == OLD


def test_a_code_cannot_be_used_twice(client, user, eager_tasks):
    ask_code(client)
    code = last_code()
    pending = client.session[MOBILE_CHANGE_SESSION_KEY]
    client.post(CONFIRM_URL, {"code": code})
    session = client.session
    session[MOBILE_CHANGE_SESSION_KEY] = pending
    session.save()

    response = client.post(CONFIRM_URL, {"code": code})

    assert "déjà été utilisé" in response.text


def test_another_users_code_changes_nothing(client, user, client_for, collaborator_with):
    thief = collaborator_with(user=UserFactory.create(mobile="+33611111111")).user
    thief_client = client_for(thief)
    ask_code(client)
    code = last_code()
    session = thief_client.session
    session[MOBILE_CHANGE_SESSION_KEY] = client.session[MOBILE_CHANGE_SESSION_KEY]
    session.save()

    response = thief_client.post(CONFIRM_URL, {"code": code})

    assert response.status_code == 200
    assert "Demandez d’abord l’envoi du code" in response.text
    thief.refresh_from_db()
    assert str(thief.mobile) == "+33611111111"


def test_the_confirm_page_without_a_pending_change_goes_back_to_the_form(client):
    response = client.get(CONFIRM_URL)

    assert response.status_code == 302
    assert response.url == CHANGE_URL


def test_the_challenge_keeps_only_the_masked_new_number(client):
    ask_code(client)

    challenge = SignatureChallenge.objects.get()
    assert challenge.phone_masked == "+33 6 •• •• •• 32"
    assert challenge.purpose == "mobile_change"


def test_an_anonymous_visitor_is_sent_to_the_login_page(db):
    response = Client().get(CHANGE_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


class FlakySmsBackend:
    """Refuses the first message, then takes them (settings.SMS_BACKEND dotted path)."""

    failures_left = 1

    def send(self, *, to: str, body: str) -> None:
        if FlakySmsBackend.failures_left:
            FlakySmsBackend.failures_left -= 1
            raise sms.SmsNotSent("provider down")
        sms.outbox.append(sms.Sms(to=to, body=body))


def test_the_warning_to_the_old_number_is_retried_when_the_provider_fails(settings, user):
    settings.SMS_BACKEND = f"{__name__}.FlakySmsBackend"
    FlakySmsBackend.failures_left = 1

    mobile_change_warn(
        user=user,
        previous_mobile=OLD,
        changed_at=datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC),
    )

    assert run_tasks() == [True]
    [warning] = sms.outbox
    assert warning.to == OLD
    assert "03/03/2025 à 11:00" in warning.body
