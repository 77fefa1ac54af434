import datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from core import sms
from otp import services as otp
from otp.models import LOGIN_PURPOSE, ChallengeStatus, SignatureChallenge
from tests.factories import UserFactory
from tests.login import SECOND_STEP_URL, last_code, log_in, log_in_password
from tests.outbox import emails_to

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()


def wrong_code(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_the_password_leads_to_the_second_step_and_sends_a_login_code(client):
    user = UserFactory.create()

    response = log_in_password(client, user.email)

    assert response.url == SECOND_STEP_URL
    assert SESSION_KEY not in client.session
    assert [message.to for message in sms.outbox] == [str(user.mobile)]
    assert "vous connecter" in sms.outbox[0].body
    challenge = SignatureChallenge.objects.get(signer=user)
    assert challenge.purpose == LOGIN_PURPOSE


def test_the_second_step_shows_where_the_code_went(client):
    user = UserFactory.create(mobile="+33612345678")
    log_in_password(client, user.email)

    response = client.get(SECOND_STEP_URL)

    assert response.status_code == 200
    assert "06 •• •• •• 78" in response.text or "78" in response.text
    assert 'autocomplete="one-time-code"' in response.text


def test_the_right_code_logs_in_and_the_audit_says_which_factor(client):
    user = UserFactory.create()

    response = log_in(client, user.email)

    assert response.url == reverse("portal:company_picker")
    assert client.session[SESSION_KEY] == str(user.pk)
    login = AuditEvent.objects.get(action=Action.LOGIN, actor=user)
    assert login.data == {"factor": "sms"}


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/entreprises/1/",
        "/entreprises/1/equipes/",
        "/compte/",
        "/admin/",
        "/admin/accounts/user/",
        "/compte/mobile/",
        "/entreprises/1/documents/",
    ],
)
def test_every_page_between_the_password_and_the_code_sends_back_to_the_step(client, url):
    user = UserFactory.create(is_staff=True, is_superuser=True)
    log_in_password(client, user.email)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == SECOND_STEP_URL


def test_logout_stays_open_between_the_password_and_the_code(client):
    user = UserFactory.create()
    log_in_password(client, user.email)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert client.get("/").url.startswith(reverse("accounts:login"))


def test_the_second_step_without_a_password_sends_to_the_login(client):
    response = client.get(SECOND_STEP_URL)

    assert response.url == reverse("accounts:login")


def test_a_wrong_code_is_refused_and_counted(client):
    user = UserFactory.create()
    log_in_password(client, user.email)

    response = client.post(SECOND_STEP_URL, {"code": wrong_code(last_code())})

    assert response.status_code == 200
    assert "Code incorrect. Il vous reste 4 essai(s)." in response.text
    assert SESSION_KEY not in client.session
    user.refresh_from_db()
    assert user.consecutive_login_failures == 1
    assert AuditEvent.objects.filter(action=Action.CODE_WRONG, actor=user).count() == 1


def test_five_wrong_codes_kill_the_login_challenge(client):
    user = UserFactory.create()
    log_in_password(client, user.email)
    code = last_code()
    for _ in range(5):
        client.post(SECOND_STEP_URL, {"code": wrong_code(code)})

    response = client.post(SECOND_STEP_URL, {"code": code})

    assert "ce code est bloqué" in response.text
    assert SESSION_KEY not in client.session
    assert SignatureChallenge.objects.get(signer=user).status == ChallengeStatus.DEAD


def test_a_new_code_can_be_asked_once_the_challenge_is_dead(client):
    user = UserFactory.create()
    log_in_password(client, user.email)
    code = last_code()
    for _ in range(5):
        client.post(SECOND_STEP_URL, {"code": wrong_code(code)})

    client.post(reverse("accounts:login_code_send"))
    response = client.post(SECOND_STEP_URL, {"code": last_code()})

    assert response.url == reverse("portal:company_picker")
    assert SignatureChallenge.objects.filter(signer=user).count() == 2


def test_a_resend_keeps_the_same_challenge_and_waits_for_the_cool_down(client):
    user = UserFactory.create()
    log_in_password(client, user.email)

    response = client.post(reverse("accounts:login_code_send"), follow=True)

    assert "Un code vient d’être envoyé" in response.text
    assert SignatureChallenge.objects.filter(signer=user).count() == 1
    assert len(sms.outbox) == 1


def test_twenty_wrong_second_factors_in_a_row_lock_the_login(client, settings):
    user = UserFactory.create()
    for _ in range(4):
        log_in_password(client, user.email)
        code = last_code()
        for _ in range(5):
            response = client.post(SECOND_STEP_URL, {"code": wrong_code(code)})

    user.refresh_from_db()
    assert user.consecutive_login_failures == 20, response.text[-3000:]
    assert user.login_locked_at is not None
    assert "la connexion à votre compte est bloquée" in response.text
    assert AuditEvent.objects.filter(action=Action.LOGIN_LOCKED, target_id=str(user.pk)).exists()
    [email] = emails_to(user.email)
    assert "bloquée" in email.subject
    # the right password is not enough any more
    again = log_in_password(client, user.email)
    assert again.status_code == 200
    assert "bloquée" in again.text
    assert SESSION_KEY not in client.session


def test_a_right_code_ends_the_streak_of_wrong_ones(client):
    user = UserFactory.create()
    log_in_password(client, user.email)
    client.post(SECOND_STEP_URL, {"code": wrong_code(last_code())})

    client.post(SECOND_STEP_URL, {"code": last_code()})

    user.refresh_from_db()
    assert user.consecutive_login_failures == 0


def test_the_login_code_confirms_a_mobile_never_confirmed(client):
    user = UserFactory.create()
    assert user.mobile_confirmed_at is None
    log_in_password(client, user.email)

    assert "Confirmez votre numéro de mobile" in client.get(SECOND_STEP_URL).text
    client.post(SECOND_STEP_URL, {"code": last_code()})

    user.refresh_from_db()
    assert user.mobile_confirmed_at is not None


def test_a_password_step_left_too_long_asks_for_the_password_again(client, settings):
    settings.LOGIN_SECOND_STEP_SECONDS = 0
    user = UserFactory.create()
    log_in_password(client, user.email)

    response = client.get(SECOND_STEP_URL)

    assert response.url == reverse("accounts:login")


def test_an_account_without_a_mobile_is_told_to_call_support(client):
    user = UserFactory.create(mobile="")

    response = log_in_password(client, user.email, follow=True)

    assert "Aucun numéro de mobile n’est enregistré" in response.text
    assert SESSION_KEY not in client.session


def test_a_login_code_never_signs(client):
    user = UserFactory.create()
    log_in_password(client, user.email)
    challenge = SignatureChallenge.objects.get(signer=user)

    # a signing check of this challenge (no login purpose) refuses it whatever the code
    with pytest.raises(otp.CodeNotSent):
        otp.challenge_verify(
            challenge_id=challenge.pk,
            signer=user,
            payload={"anything": "signed"},
            code=last_code(),
            now=timezone.now(),
        )
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PENDING


def test_a_signing_code_never_logs_in(client):
    user = UserFactory.create()
    now = timezone.now()
    signing = otp.challenge_start(
        signer=user, purpose="invitation", payload={"invitee": "x"}, now=now
    )
    otp.challenge_send(challenge=signing, signer=user, now=now, reason="signer")
    signing_code = last_code()
    log_in_password(client, user.email)
    session = client.session
    session["portal_login_pending"] = {
        **session["portal_login_pending"],
        "challenge": str(signing.pk),
    }
    session.save()

    response = client.post(SECOND_STEP_URL, {"code": signing_code})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    signing.refresh_from_db()
    assert signing.status == ChallengeStatus.PENDING


def test_a_signing_code_is_refused_by_the_login_check_itself(client):
    user = UserFactory.create()
    now = timezone.now()
    signing = otp.challenge_start(signer=user, purpose="invitation", payload={"a": 1}, now=now)
    otp.challenge_send(challenge=signing, signer=user, now=now, reason="signer")

    with pytest.raises(otp.CodeNotSent):
        otp.challenge_verify(
            challenge_id=signing.pk,
            signer=user,
            payload={"a": 1},
            code=last_code(),
            now=now,
            purpose=LOGIN_PURPOSE,
        )


def test_wrong_login_codes_do_not_lock_signing(client):
    user = UserFactory.create()
    log_in_password(client, user.email)
    client.post(SECOND_STEP_URL, {"code": wrong_code(last_code())})

    user.refresh_from_db()
    assert user.consecutive_wrong_codes == 0
    assert user.signing_locked_at is None


def test_locked_signing_does_not_stop_the_login(client):
    user = UserFactory.create(signing_locked_at=timezone.now() - datetime.timedelta(hours=1))

    response = log_in(client, user.email)

    assert response.url == reverse("portal:company_picker")


def test_force_login_sessions_are_fully_logged_in(client):
    user = UserFactory.create()
    client.force_login(user)

    assert client.get(reverse("accounts:account")).status_code == 200


def test_logging_in_as_another_person_ends_the_first_session(client):
    first = UserFactory.create()
    second = UserFactory.create()
    log_in(client, first.email)

    log_in(client, second.email)

    assert client.session[SESSION_KEY] == str(second.pk)
    assert User.objects.count() == 2
