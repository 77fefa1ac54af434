"""The Twilio backend through the real twilio SDK, against a local fake of Twilio's Messages API."""

import base64
import contextlib
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from core.sms import SmsNotSent, TwilioBackend
from otp import services
from tests.otp.factories import CODE, NOW

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "fake-auth-token"
FROM = "+33757000000"
TO = "+33612345642"
MESSAGES_PATH = f"/2010-04-01/Accounts/{SID}/Messages.json"


@dataclass
class Posted:
    path: str
    authorization: str
    form: dict[str, str]


@dataclass
class FakeTwilio:
    """What the fake answers (status, delay) and what it was sent."""

    port: int = 0
    status: int = 201
    delay: float = 0.0
    posted: list[Posted] = field(default_factory=list)

    def reset(self) -> None:
        self.status, self.delay = 201, 0.0
        self.posted.clear()


def handler_for(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            fake.posted.append(Posted(self.path, self.headers.get("Authorization", ""), form))
            time.sleep(fake.delay)
            if fake.status == 201:
                body: dict[str, object] = {
                    "sid": "SM" + uuid.uuid4().hex,
                    "account_sid": SID,
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "num_segments": "1",
                    "direction": "outbound-api",
                    "api_version": "2010-04-01",
                    "date_created": "Mon, 03 Mar 2025 10:00:00 +0000",
                    "uri": f"{MESSAGES_PATH[:-5]}/SM0.json",
                }
            else:
                body = {
                    "code": 20500,
                    "message": "Internal Server Error",
                    "status": fake.status,
                }
            payload = json.dumps(body).encode()
            # the client may have given up already (timeout test)
            with contextlib.suppress(OSError):
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def fake_server():
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_twilio(fake_server, settings, monkeypatch):
    fake_server.reset()
    monkeypatch.delenv("TWILIO_REGION", raising=False)
    monkeypatch.delenv("TWILIO_EDGE", raising=False)
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM_NUMBER = FROM
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{fake_server.port}"
    settings.TWILIO_TIMEOUT_SECONDS = 2
    return fake_server


def code_in(body: str) -> str:
    match = CODE.search(body)
    assert match is not None, body
    return match.group(1)


def send(body: str = "Mes équipes : 123456 est votre code.") -> None:
    TwilioBackend().send(to=TO, body=body)


def test_the_sdk_posts_the_message_to_twilios_messages_endpoint(fake_twilio):
    send()

    [posted] = fake_twilio.posted
    assert posted.path == MESSAGES_PATH


def test_the_message_carries_recipient_sender_and_body(fake_twilio):
    send("Mes équipes : 123456 est votre code.")

    assert fake_twilio.posted[0].form == {
        "To": TO,
        "From": FROM,
        "Body": "Mes équipes : 123456 est votre code.",
    }


def test_the_sdk_authenticates_with_the_account_sid_and_token(fake_twilio):
    send()

    scheme, credentials = fake_twilio.posted[0].authorization.split()
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{SID}:{TOKEN}"


def test_a_region_and_edge_in_the_environment_still_reach_the_configured_host(
    fake_twilio, monkeypatch
):
    monkeypatch.setenv("TWILIO_REGION", "ie1")
    monkeypatch.setenv("TWILIO_EDGE", "dublin")

    send()

    assert [p.path for p in fake_twilio.posted] == [MESSAGES_PATH]


def test_a_server_error_from_twilio_means_the_sms_was_not_sent(fake_twilio):
    fake_twilio.status = 500

    with pytest.raises(SmsNotSent):
        send()


def test_a_refusal_from_twilio_means_the_sms_was_not_sent(fake_twilio):
    fake_twilio.status = 400

    with pytest.raises(SmsNotSent):
        send()


def test_twilio_answering_too_slowly_means_the_sms_was_not_sent(fake_twilio, settings):
    settings.TWILIO_TIMEOUT_SECONDS = 0.2
    fake_twilio.delay = 1.0

    started = time.monotonic()
    with pytest.raises(SmsNotSent):
        send()

    assert time.monotonic() - started < 1.0


def test_twilio_unreachable_means_the_sms_was_not_sent(fake_twilio, settings):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens

    with pytest.raises(SmsNotSent):
        send()


@pytest.mark.django_db
def test_the_signature_code_goes_out_through_twilio(fake_twilio, admin_user):
    challenge = services.challenge_start(
        signer=admin_user, purpose="test", payload={"a": 1}, now=NOW
    )

    services.challenge_send(challenge=challenge, signer=admin_user, now=NOW, reason="un test")

    [posted] = fake_twilio.posted
    assert posted.form["To"] == TO
    verification = services.challenge_verify(
        challenge_id=challenge.pk,
        signer=admin_user,
        payload={"a": 1},
        code=code_in(posted.form["Body"]),
        now=NOW,
    )
    assert verification.ok


@pytest.mark.django_db
def test_a_twilio_failure_is_reported_to_the_signer_and_not_counted(fake_twilio, admin_user):
    fake_twilio.status = 500
    challenge = services.challenge_start(
        signer=admin_user, purpose="test", payload={"a": 1}, now=NOW
    )

    with pytest.raises(services.SmsDeliveryFailed):
        services.challenge_send(challenge=challenge, signer=admin_user, now=NOW, reason="un test")

    challenge.refresh_from_db()
    assert challenge.send_count == 0


@pytest.mark.django_db
def test_sending_through_twilio_never_logs_the_code(fake_twilio, admin_user, caplog):
    caplog.set_level(logging.DEBUG)
    challenge = services.challenge_start(
        signer=admin_user, purpose="test", payload={"a": 1}, now=NOW
    )

    services.challenge_send(challenge=challenge, signer=admin_user, now=NOW, reason="un test")

    assert code_in(fake_twilio.posted[0].form["Body"]) not in caplog.text
