import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse

from audit.models import Action, AuditEvent
from core.models import MessageStatus
from portal.celery import app
from tests.factories import PASSWORD, UserFactory
from tests.login import log_in as log_in_with_code
from tests.outbox import deliver, emails_to

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")
WRONG_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."


@pytest.fixture
def eager_tasks(settings):
    """The reset email is sent by a task: run it in this process."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)


def log_in(
    client: Client,
    email: str,
    password: str = PASSWORD,
    next: str = "",
    remote_addr: str = "127.0.0.1",
):
    return log_in_with_code(client, email, password, next=next, REMOTE_ADDR=remote_addr)


def without_csrf_tokens(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html)


def test_the_login_page_is_shown_to_an_anonymous_visitor(client):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert "Connexion à votre espace entreprise" in response.text
    assert 'autocomplete="current-password"' in response.text


def test_logging_in_leads_to_the_company_picker(client):
    user = UserFactory.create()

    response = log_in(client, user.email)

    assert response.status_code == 302
    assert response.url == reverse("portal:company_picker")


def test_the_email_is_matched_whatever_its_case(client):
    user = UserFactory.create(email="claire.durand@entreprise.example")

    response = log_in(client, "Claire.Durand@Entreprise.example")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client):
    user = UserFactory.create()

    wrong_password = log_in(client, user.email, "pas-le-bon-mot-de-passe")
    unknown_email = log_in(client, "personne@inconnue.example")

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert WRONG_CREDENTIALS in wrong_password.text
    assert WRONG_CREDENTIALS in unknown_email.text
    assert wrong_password.context["form"].errors == unknown_email.context["form"].errors


def test_an_inactive_account_gets_the_same_message_as_a_wrong_password(client):
    user = UserFactory.create(is_active=False)

    response = log_in(client, user.email)

    assert WRONG_CREDENTIALS in response.text
    assert "_auth_user_id" not in client.session


def test_a_safe_next_url_is_followed_after_login(client):
    user = UserFactory.create()

    response = log_in(client, user.email, next="/entreprises/42/")

    assert response.url == "/entreprises/42/"


def test_a_next_url_to_another_host_is_ignored(client):
    user = UserFactory.create()

    response = log_in(client, user.email, next="https://attaquant.example/piege/")

    assert response.url == reverse("portal:company_picker")


def test_a_scheme_relative_next_url_is_ignored(client):
    user = UserFactory.create()

    response = log_in(client, user.email, next="//attaquant.example/piege/")

    assert response.url == reverse("portal:company_picker")


def test_the_login_form_keeps_a_safe_next_url(client):
    response = client.get(LOGIN_URL, {"next": "/entreprises/42/"})

    assert 'name="next" value="/entreprises/42/"' in response.text


def test_logging_in_records_the_login_time_in_the_session(client):
    user = UserFactory.create()
    before = int(time.time())

    log_in(client, user.email)

    assert before <= client.session["portal_login_at"] <= int(time.time())


def test_logging_in_gives_a_new_session_key(client):
    user = UserFactory.create()
    session = client.session
    session["avant"] = "connexion"
    session.save()
    key_before = session.session_key

    log_in(client, user.email)

    assert client.session.session_key != key_before


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("portal:company_picker"))

    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)
    assert "next=/" in response.url


def test_logout_refuses_a_get(client_for):
    client = client_for(UserFactory.create())

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert "_auth_user_id" in client.session


def test_logout_by_post_ends_the_session(client_for):
    client = client_for(UserFactory.create())

    response = client.post(reverse("accounts:logout"), follow=True)

    assert "_auth_user_id" not in client.session
    assert "Vous êtes déconnecté" in response.text


def test_the_header_offers_logout_as_a_form(client_for):
    client = client_for(UserFactory.create())

    response = client.get(reverse("portal:company_picker"))

    assert f'<form method="post" action="{reverse("accounts:logout")}">' in response.text


def test_a_login_is_recorded_in_the_audit_trail(client):
    user = UserFactory.create()

    log_in(client, user.email, remote_addr="203.0.113.7")

    event = AuditEvent.objects.get(action=Action.LOGIN, actor=user)
    assert event.ip_address == "203.0.113.7"


def test_a_failed_login_records_the_email_lowercased_and_never_the_password(client):
    log_in(client, "Quelqu.Un@Entreprise.example", "secret-tres-particulier")

    event = AuditEvent.objects.get(
        action=Action.LOGIN_FAILED, data__email="quelqu.un@entreprise.example"
    )
    assert event.actor is None
    assert "secret-tres-particulier" not in str(event.data)
    assert "password" not in event.data


def test_a_logout_is_recorded_in_the_audit_trail(client_for):
    user = UserFactory.create()
    client = client_for(user)

    client.post(reverse("accounts:logout"))

    assert AuditEvent.objects.filter(action=Action.LOGOUT, actor=user).exists()


def test_password_reset_shows_the_same_page_for_a_known_and_an_unknown_email(client):
    user = UserFactory.create()

    known = client.post(reverse("accounts:password_reset"), {"email": user.email}, follow=True)
    unknown = client.post(
        reverse("accounts:password_reset"), {"email": "personne@inconnue.example"}, follow=True
    )

    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf_tokens(known.text) == without_csrf_tokens(unknown.text)
    assert "Si un compte existe pour l’adresse saisie" in known.text


def test_password_reset_sends_no_email_to_an_unknown_address(client):
    client.post(reverse("accounts:password_reset"), {"email": "personne@inconnue.example"})

    assert deliver() == 0
    assert mail.outbox == []
    [message] = emails_to("personne@inconnue.example")
    assert message.status == MessageStatus.CANCELLED


def test_password_reset_sends_a_french_email_with_a_link(client):
    user = UserFactory.create()

    client.post(reverse("accounts:password_reset"), {"email": user.email})
    deliver()

    [email] = mail.outbox
    assert isinstance(email, EmailMultiAlternatives)
    assert email.to == [user.email]
    assert (
        email.subject == f"{settings.BANK_NAME} · Mes équipes : choisissez un nouveau mot de passe"
    )
    assert "Vous avez demandé à choisir un nouveau mot de passe" in email.body
    assert "http://127.0.0.1:8000/mot-de-passe/nouveau/" in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "Choisir un nouveau mot de passe" in str(html)


def test_the_emailed_link_lets_the_user_choose_a_new_password(client):
    user = UserFactory.create()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    deliver()
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/nouveau/" in line
    )

    form_page = client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    new_password = "un-nouveau-mot-de-passe-77"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
        follow=True,
    )

    assert "Votre mot de passe a été modifié" in done.text
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_a_missing_email_is_reported_next_to_the_field(client):
    response = client.post(LOGIN_URL, {"email": "", "password": "x"})

    assert 'aria-invalid="true"' in response.text
    assert 'aria-describedby="id_email_error"' in response.text
    assert 'id="id_email_error"' in response.text
    assert "Ce champ est obligatoire." in response.text


def test_the_reset_link_is_kept_nowhere_in_the_outbox(client):
    user = UserFactory.create()
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    deliver()
    link = next(
        line for line in mail.outbox[0].body.splitlines() if "/mot-de-passe/nouveau/" in line
    )

    [message] = emails_to(user.email)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert (message.text, message.html, message.renderer) == ("", "", "password_reset")
    assert token not in message.subject + message.last_error
