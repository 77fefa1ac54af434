import pytest
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db

HEALTHZ = reverse("portal:healthz")


def test_reports_ok_when_the_database_and_redis_answer(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}


def test_answers_an_anonymous_probe_without_redirecting_to_login(client):
    response = client.get(HEALTHZ)

    assert response.status_code == 200


def test_reports_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "redis": "error"}


def test_reports_redis_as_not_configured_without_a_redis_url(client, settings):
    settings.REDIS_URL = ""

    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response.json()["redis"] == "not configured"


def test_reports_503_without_details_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("password authentication failed for user secret_user")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get(HEALTHZ)

    assert response.status_code == 503
    assert response.json()["database"] == "error"
    assert "secret_user" not in response.text


def test_refuses_a_post(client):
    response = client.post(HEALTHZ)

    assert response.status_code == 405
