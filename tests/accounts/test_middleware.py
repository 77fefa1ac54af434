import time

import pytest
from django.test import Client
from django.urls import reverse

from accounts.signals import LOGIN_AT_SESSION_KEY

pytestmark = pytest.mark.django_db


def _client_logged_in_at(user, login_at: float) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[LOGIN_AT_SESSION_KEY] = int(login_at)
    session.save()
    return client


def test_a_session_younger_than_twelve_hours_stays_open(admin_user, admin):
    client = _client_logged_in_at(admin_user, time.time() - 11 * 3600)

    response = client.get(reverse("portal:company_picker"))

    assert response.status_code == 200


def test_a_session_older_than_twelve_hours_is_closed_even_when_active(admin_user, admin):
    client = _client_logged_in_at(admin_user, time.time() - 12 * 3600 - 60)

    response = client.get(reverse("portal:company_picker"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "Votre session a expiré" in response.content.decode()
    assert "_auth_user_id" not in client.session
