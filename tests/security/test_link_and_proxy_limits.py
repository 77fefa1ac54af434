"""Guessing invitation links from one address is slowed down like the login; the client's address
behind a proxy comes from the header the settings name."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from audit.services import client_ip

pytestmark = pytest.mark.django_db


def guess(client, n, ip="203.0.113.50"):
    return client.get(reverse("invitations:accept", args=[f"{n:043d}"]), REMOTE_ADDR=ip)


def test_unknown_invitation_links_from_one_address_are_slowed_down(client, settings):
    settings.INVITATION_LINK_FAILURES_BEFORE_DELAY = 10
    statuses = [guess(client, n).status_code for n in range(11)]

    response = guess(client, 99)

    assert statuses[:10] == [404] * 10
    assert response.status_code == 429
    assert "Trop de tentatives" in response.text


def test_another_address_is_not_slowed_down_by_the_first(client, settings):
    settings.INVITATION_LINK_FAILURES_BEFORE_DELAY = 2
    for n in range(5):
        guess(client, n)

    assert guess(client, 7, ip="198.51.100.1").status_code == 404


def test_the_trusted_proxy_header_is_a_setting(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.9", HTTP_X_FORWARDED_FOR="6.6.6.6"
    )

    assert client_ip(request) == "203.0.113.9"


def test_no_header_is_trusted_without_a_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")

    assert client_ip(request) == "10.0.0.1"
