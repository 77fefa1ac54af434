"""Sessions: idle timeout 30 min, absolute 12 h, a new key at login, signing needs a recent login."""

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.signals import LOGIN_AT_SESSION_KEY
from core import sms
from tests.conftest import logged_in_client
from tests.factories import PASSWORD
from tests.invitations.factories import create
from tests.login import log_in

pytestmark = pytest.mark.django_db


def test_the_session_cookie_lives_thirty_minutes_renewed_on_every_request(admin_client, admin):
    response = admin_client.get(reverse("portal:company_picker"))

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 30 * 60
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_a_session_idle_for_more_than_thirty_minutes_is_closed(admin_client, admin):
    key = admin_client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = admin_client.get(reverse("portal:company_picker"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_an_active_session_is_closed_twelve_hours_after_login(admin_client, admin):
    session = admin_client.session
    session[LOGIN_AT_SESSION_KEY] = int(time.time()) - 12 * 3600 - 1
    session.save()

    response = admin_client.get(reverse("portal:company_picker"))

    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in admin_client.session


def test_the_absolute_lifetime_runs_after_authentication_on_every_request():
    middleware = settings.MIDDLEWARE
    absolute = middleware.index("accounts.middleware.AbsoluteSessionLifetimeMiddleware")

    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < absolute


def test_logging_in_rotates_the_session_key(client, admin):
    client.get(reverse("accounts:login"))
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted_key = session.session_key

    log_in(client, admin.user.email, PASSWORD)

    assert client.session.session_key != planted_key
    assert not Session.objects.filter(session_key=planted_key).exists()
    assert client.session[LOGIN_AT_SESSION_KEY] >= int(time.time()) - 5


def test_asking_for_a_code_sixteen_minutes_after_login_asks_for_the_password(admin, settings):
    invitation = create(admin)
    client = logged_in_client(admin.user)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = int(time.time()) - 16 * 60
    session.save()

    response = client.post(reverse("invitations:send_code", args=[admin.company_id, invitation.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login") + "?next=")
    assert sms.outbox == []


def test_asking_for_a_code_fourteen_minutes_after_login_sends_it(admin):
    invitation = create(admin)
    client = logged_in_client(admin.user)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = int(time.time()) - 14 * 60
    session.save()

    client.post(reverse("invitations:send_code", args=[admin.company_id, invitation.pk]))

    assert len(sms.outbox) == 1


def test_a_stolen_session_cookie_dies_at_logout(admin_client, admin):
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = admin_client.cookies[
        settings.SESSION_COOKIE_NAME
    ].value

    admin_client.post(reverse("accounts:logout"))
    response = stolen.get(reverse("portal:company_picker"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
