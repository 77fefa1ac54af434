"""A new collaborator's mobile is confirmed by an SMS code before their account exists."""

import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from companies.models import Membership
from core import sms
from invitations import services
from otp.services import SignatureError
from tests.factories import PASSWORD, UserFactory
from tests.invitations.factories import dispatch, signed
from tests.login import SECOND_STEP_URL, last_code

pytestmark = pytest.mark.django_db

LEA = "lea.martin@partenaire.example"
NEW_ACCOUNT = {
    "accept_with": "new_account",
    "first_name": "Léa",
    "last_name": "Martin",
    "mobile": "06 98 76 54 32",
    "password1": "un-mot-de-passe-bien-long",
    "password2": "un-mot-de-passe-bien-long",
}


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


@pytest.fixture
def link(admin):
    invitation = signed(admin, email=LEA)
    token = dispatch(invitation, now=timezone.now())
    sms.outbox.clear()  # the administrator's signing code
    return reverse("invitations:accept", args=[token])


def confirm(client, link, code):
    return client.post(link, {"accept_with": "confirm_mobile", "code": code})


def wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_form_sends_a_code_to_the_mobile_typed_and_creates_no_account(client, link):
    response = client.post(link, NEW_ACCOUNT)

    assert response.status_code == 200
    assert "Confirmez votre numéro de mobile" in response.text
    assert [message.to for message in sms.outbox] == ["+33698765432"]
    assert not User.objects.filter(email=LEA).exists()
    assert "un-mot-de-passe-bien-long" not in str(dict(client.session))


def test_the_right_code_creates_the_account_with_its_mobile_confirmed_and_logs_in(
    client, link, admin
):
    client.post(link, NEW_ACCOUNT)

    response = confirm(client, link, last_code())

    assert response.url == reverse("portal:company_home", args=[admin.company.pk])
    user = User.objects.get(email=LEA)
    assert str(user.mobile) == "+33698765432"
    assert user.mobile_confirmed_at is not None
    assert user.check_password("un-mot-de-passe-bien-long")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert AuditEvent.objects.get(action=Action.LOGIN, actor=user).data == {"factor": "sms"}
    assert Membership.objects.filter(user=user, company=admin.company).exists()


def test_a_wrong_code_creates_nothing_and_says_how_many_tries_are_left(client, link):
    client.post(link, NEW_ACCOUNT)

    response = confirm(client, link, wrong(last_code()))

    assert "Code incorrect. Il vous reste 4 essai(s)." in response.text
    assert not User.objects.filter(email=LEA).exists()
    assert SESSION_KEY not in client.session


def test_five_wrong_codes_kill_the_code(client, link):
    client.post(link, NEW_ACCOUNT)
    code = last_code()
    for _ in range(5):
        confirm(client, link, wrong(code))

    response = confirm(client, link, code)

    assert "ce code est bloqué" in response.text
    assert not User.objects.filter(email=LEA).exists()


def test_an_expired_code_creates_nothing(client, link, settings):
    client.post(link, NEW_ACCOUNT)
    session = client.session
    pending = session["portal_acceptance"]
    pending["created_at"] -= settings.OTP_CODE_LIFETIME_SECONDS + 1
    session["portal_acceptance"] = pending
    session.save()

    response = confirm(client, link, last_code())

    assert "Ce code a expiré" in response.text
    assert not User.objects.filter(email=LEA).exists()


def test_a_changed_number_makes_the_first_code_worthless(client, link):
    client.post(link, NEW_ACCOUNT)
    first_code = last_code("+33698765432")

    client.post(link, {**NEW_ACCOUNT, "mobile": "06 11 22 33 44"})
    refused = confirm(client, link, first_code)
    accepted = confirm(client, link, last_code("+33611223344"))

    assert "Code incorrect" in refused.text
    assert accepted.status_code == 302
    assert str(User.objects.get(email=LEA).mobile) == "+33611223344"


def test_a_resend_waits_for_the_cool_down(client, link):
    client.post(link, NEW_ACCOUNT)

    response = client.post(link, {"accept_with": "resend_code"})

    assert "Un code vient d’être envoyé" in response.text
    assert len(sms.outbox) == 1


def test_the_code_of_another_visitor_session_confirms_nothing(client, link):
    client.post(link, NEW_ACCOUNT)
    code = last_code()

    response = Client().post(link, {"accept_with": "confirm_mobile", "code": code})

    assert response.status_code == 200
    assert not User.objects.filter(email=LEA).exists()


def test_the_service_refuses_a_wrong_code(admin):
    invitation = signed(admin, email=LEA)
    now = timezone.now()
    token = dispatch(invitation, now=now)
    pending = services.invitation_acceptance_begin(
        token=token,
        first_name="Léa",
        last_name="Martin",
        mobile="+33698765432",
        password="un-mot-de-passe-bien-long",
        now=now,
    )

    with pytest.raises(SignatureError):
        services.invitation_accept_new_account(
            token=token,
            pending=pending,
            code=wrong(last_code()),
            ip_address=None,
            now=now + datetime.timedelta(seconds=1),
        )
    assert not User.objects.filter(email=LEA).exists()


def test_an_existing_account_accepts_with_its_password_then_gives_its_second_factor(
    client, link, admin
):
    lea = UserFactory.create(email=LEA)

    response = client.post(link, {"accept_with": "login", "password": PASSWORD})

    assert response.url == SECOND_STEP_URL
    assert SESSION_KEY not in client.session
    assert client.get(reverse("portal:company_home", args=[admin.company.pk])).url == (
        SECOND_STEP_URL
    )
    done = client.post(SECOND_STEP_URL, {"code": last_code()})
    assert done.url == reverse("portal:company_home", args=[admin.company.pk])
    assert client.session[SESSION_KEY] == str(lea.pk)
