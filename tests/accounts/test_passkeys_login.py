"""The second step of login with a passkey: offered first to someone who has one, bound to this
very password step, and never a way to sign (nor a signing assertion a way in)."""

import re
import uuid

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from audit.models import Action, AuditEvent
from core import sms
from invitations.models import InvitationStatus
from invitations.services import signature_payload
from otp.models import Passkey
from otp.passkeys import PasskeyAssertion, PasskeyRefused
from tests.factories import UserFactory
from tests.invitations.factories import create
from tests.login import SECOND_STEP_URL, log_in_password
from tests.otp.passkeys import registered, signing_options
from tests.otp.test_passkey_signing import sign_invitation

pytestmark = pytest.mark.django_db

PASSKEY_URL = reverse("accounts:login_passkey")
GET = re.compile(r'data-passkey-get="([^"]+)"')
CHALLENGE = re.compile(r'name="challenge" value="([0-9a-f-]{36})"')


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def second_step_fields(client) -> tuple[str, str]:
    html = client.get(SECOND_STEP_URL).content.decode()
    options, challenge = GET.search(html), CHALLENGE.search(html)
    assert options is not None and challenge is not None, html
    return options.group(1).replace("&quot;", '"'), challenge.group(1)


def post_assertion(client, device):
    options, challenge = second_step_fields(client)
    return client.post(
        PASSKEY_URL,
        {"method": "passkey", "challenge": challenge, "credential": device.get(options)},
    )


@pytest.fixture
def user() -> User:
    return UserFactory.create()


def test_someone_with_a_passkey_is_offered_it_and_no_sms_is_sent_unasked(client, user):
    registered(user)

    log_in_password(client, user.email)
    html = client.get(SECOND_STEP_URL).content.decode()

    assert not sms.outbox
    assert "Se connecter avec ma clé d’accès" in html
    assert "data-passkey-section hidden" in html
    assert "Recevoir le code par SMS" in html  # without JavaScript, the code still works


def test_someone_without_a_passkey_gets_the_sms_code_at_once(client, user):
    log_in_password(client, user.email)

    html = client.get(SECOND_STEP_URL).content.decode()

    assert len(sms.outbox) == 1
    assert "data-passkey-get" not in html


def test_a_passkey_logs_in_and_the_audit_says_so(client, user):
    _, device = registered(user)
    log_in_password(client, user.email)

    response = post_assertion(client, device)

    assert response.status_code == 302
    assert response.url == reverse("portal:company_picker")
    assert client.session[SESSION_KEY] == str(user.pk)
    login = AuditEvent.objects.get(action=Action.LOGIN, actor=user)
    assert login.data == {"factor": "passkey"}
    assert Passkey.objects.get(user=user).last_used_at is not None


def test_a_refused_assertion_does_not_log_in_and_counts_as_a_failed_second_factor(client, user):
    _, device = registered(user)
    log_in_password(client, user.email)
    device.origin = "https://portail-imite.example"

    response = post_assertion(client, device)

    assert response.url == SECOND_STEP_URL
    assert SESSION_KEY not in client.session
    user.refresh_from_db()
    assert user.consecutive_login_failures == 1


def test_another_user_s_passkey_does_not_log_in(client, user):
    registered(user)
    _, other_device = registered(UserFactory(), name="Téléphone de Paul")
    log_in_password(client, user.email)

    post_assertion(client, other_device)

    assert SESSION_KEY not in client.session


def test_the_passkey_step_needs_the_password_first(client, user):
    registered(user)

    response = client.post(
        PASSKEY_URL, {"method": "passkey", "challenge": str(uuid.uuid4()), "credential": "{}"}
    )

    assert response.url == reverse("accounts:login")
    assert SESSION_KEY not in client.session


def test_a_login_assertion_replayed_after_logging_out_does_not_log_in(client, user):
    _, device = registered(user)
    log_in_password(client, user.email)
    options, challenge = second_step_fields(client)
    data = {"method": "passkey", "challenge": challenge, "credential": device.get(options)}
    client.post(PASSKEY_URL, data)
    client.post(reverse("accounts:logout"))
    log_in_password(client, user.email)

    client.post(PASSKEY_URL, data)

    assert SESSION_KEY not in client.session


def test_a_signing_assertion_does_not_log_in(client, user, admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    challenge_id, options = signing_options(
        admin.user, signature_payload(invitation, signer=admin.user)
    )
    log_in_password(client, admin.user.email)

    client.post(
        PASSKEY_URL,
        {"method": "passkey", "challenge": str(challenge_id), "credential": device.get(options)},
    )

    assert SESSION_KEY not in client.session


def test_a_login_assertion_does_not_sign(client, admin):
    _, device = registered(admin.user)
    invitation = create(admin)
    log_in_password(client, admin.user.email)
    options, challenge = second_step_fields(client)
    proof = PasskeyAssertion(challenge_id=uuid.UUID(challenge), credential=device.get(options))

    with pytest.raises(PasskeyRefused):
        sign_invitation(invitation, admin, proof)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
