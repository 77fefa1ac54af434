"""The SMS provider failing (5xx, timeout, a refused number): the signer reads why, and no send is
counted."""

import threading
from http.server import ThreadingHTTPServer

import pytest
from django.urls import reverse

from invitations.models import Invitation
from tests.invitations.factories import create
from tests.otp.test_sms_twilio import FROM, SID, TOKEN, FakeTwilio, handler_for

pytestmark = pytest.mark.django_db

NOT_SENT = "Le SMS n’a pas pu être envoyé. Aucun code n’a été décompté"


@pytest.fixture
def fake_twilio(settings, monkeypatch):
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM_NUMBER = FROM
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{fake.port}"
    settings.TWILIO_TIMEOUT_SECONDS = 2
    yield fake
    server.shutdown()
    server.server_close()


def ask_for_the_code(client, invitation):
    return client.post(
        reverse("invitations:send_code", args=[invitation.company_id, invitation.pk])
    )


def send_count(invitation) -> int:
    invitation = Invitation.objects.select_related("challenge").get(pk=invitation.pk)
    return invitation.challenge.send_count if invitation.challenge else 0


@pytest.mark.parametrize("status", [500, 503, 400], ids=["5xx", "unavailable", "invalid-number"])
def test_a_refusal_from_the_sms_provider_is_explained_on_the_sign_page(
    status, fake_twilio, admin, admin_client
):
    fake_twilio.status = status
    invitation = create(admin)

    response = ask_for_the_code(admin_client, invitation)

    assert response.status_code == 200
    assert NOT_SENT in response.text
    assert len(fake_twilio.posted) == 1
    assert send_count(invitation) == 0


def test_an_sms_provider_that_does_not_answer_in_time_is_explained_on_the_sign_page(
    fake_twilio, admin, admin_client, settings
):
    settings.TWILIO_TIMEOUT_SECONDS = 0.2
    fake_twilio.delay = 1.0
    invitation = create(admin)

    response = ask_for_the_code(admin_client, invitation)

    assert response.status_code == 200
    assert NOT_SENT in response.text
    assert send_count(invitation) == 0


def test_after_a_failed_sms_the_next_request_sends_the_code_and_counts_one_send(
    fake_twilio, admin, admin_client
):
    fake_twilio.status = 500
    invitation = create(admin)
    ask_for_the_code(admin_client, invitation)
    fake_twilio.status = 201

    response = ask_for_the_code(admin_client, invitation)

    assert response.status_code == 302
    assert len(fake_twilio.posted) == 2
    assert send_count(invitation) == 1
