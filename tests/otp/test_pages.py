"""The code panel of the signature pages is built from data: the challenge, the signer, the
content shown, the time and the URLs."""

import datetime

import pytest

from otp import services
from otp.forms import SignatureCodeForm
from otp.pages import code_panel, code_panel_template
from tests.otp.factories import NOW

pytestmark = pytest.mark.django_db

PAYLOAD = {"purpose": "test", "company": 1, "email": "lea@example.com", "rights": ["documents"]}


def panel(signer, challenge, *, payload=PAYLOAD, now=NOW, **fields):
    return code_panel(
        challenge=challenge,
        signer=signer,
        payload=payload,
        now=now,
        sign_url="/signer",
        send_url="/envoyer",
        submit_label="Signer",
        **fields,
    )


def started(signer):
    return services.challenge_start(signer=signer, purpose="test", payload=PAYLOAD, now=NOW)


def sent(signer):
    return services.challenge_send(challenge=started(signer), signer=signer, now=NOW, reason="test")


def test_without_a_challenge_the_panel_offers_to_send_a_code_to_the_masked_mobile(admin_user):
    shown = panel(admin_user, None)

    assert shown.challenge is None
    assert shown.masked_phone == "+33 6 •• •• •• 42"
    assert (shown.resend_in, shown.sends_left, shown.error) == (0, 0, "")
    assert isinstance(shown.form, SignatureCodeForm)


def test_a_challenge_whose_sms_never_left_still_offers_to_send_one(admin_user):
    assert panel(admin_user, started(admin_user)).challenge is None


def test_a_sent_code_shows_its_challenge_with_the_resend_countdown_and_sends_left(admin_user):
    challenge = sent(admin_user)

    shown = panel(admin_user, challenge, now=NOW + datetime.timedelta(seconds=10))

    assert shown.challenge == challenge
    assert shown.resend_in == 21
    assert shown.sends_left == 2


def test_a_code_sent_for_another_content_is_not_shown(admin_user):
    challenge = sent(admin_user)

    assert panel(admin_user, challenge, payload={**PAYLOAD, "rights": []}).challenge is None


def test_an_expired_code_is_not_shown(admin_user, settings):
    challenge = sent(admin_user)
    later = NOW + datetime.timedelta(seconds=settings.OTP_CODE_LIFETIME_SECONDS)

    assert panel(admin_user, challenge, now=later).challenge is None


def test_a_signer_without_a_mobile_is_told_why_they_cannot_sign(admin_user):
    admin_user.mobile = ""

    shown = panel(admin_user, None)

    assert shown.masked_phone == ""
    assert shown.cannot_sign_message == services.NoMobileNumber().message


def test_the_panel_carries_the_refusal_and_the_urls_it_was_given(admin_user):
    shown = panel(admin_user, None, error="Code incorrect.")

    assert (shown.error, shown.sign_url, shown.send_url) == (
        "Code incorrect.",
        "/signer",
        "/envoyer",
    )


@pytest.mark.parametrize(
    ("target", "template"),
    [
        (None, "invitations/sign.html"),
        ("", "otp/code_panel.html#code-panel"),
        ("code-panel", "otp/code_panel.html#code-panel"),
        ("resend-control", "otp/code_panel.html#resend-control"),
    ],
)
def test_htmx_gets_the_part_of_the_panel_it_asked_for(target, template):
    assert code_panel_template("invitations/sign.html", htmx_target=target) == template
