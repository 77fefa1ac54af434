"""Emails as their senders send them: the invitation of "Atelier Durand SAS" expiring on the 1st,
the password reset; French by default, English when English is active."""

import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail
from django.utils import translation

from accounts.password_reset import password_reset_request
from tests.emails.test_layout import SAFETY
from tests.invitations.factories import create, dispatch, request_code, sign
from tests.outbox import deliver

pytestmark = pytest.mark.django_db

# sent on 22 February 2027 at 10:00 UTC: the link expires on 1 March 2027, 11:00 in Paris
SENT_AT = datetime.datetime(2027, 2, 22, 10, 0, tzinfo=datetime.UTC)


def parsed(message: mail.EmailMessage) -> EmailMessage:
    result = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert isinstance(result, EmailMessage)
    return result


def parts(message: mail.EmailMultiAlternatives) -> tuple[str, str]:
    [(html, _mimetype)] = message.alternatives
    return str(message.body), str(html)


@pytest.fixture
def invitation_email(admin) -> mail.EmailMultiAlternatives:
    invitation = create(admin, now=SENT_AT)
    request_code(invitation, admin, now=SENT_AT)
    sign(invitation, admin, now=SENT_AT)
    mail.outbox.clear()
    dispatch(invitation, now=SENT_AT)
    [message] = mail.outbox
    assert isinstance(message, mail.EmailMultiAlternatives)
    return message


def test_the_invitation_elides_before_the_company_and_writes_the_first_of_the_month(
    invitation_email,
):
    text, html = parts(invitation_email)

    for part in (text, html):
        assert "l’espace sécurisé" in part
        assert "d’Atelier Durand SAS" in part
        assert "de Atelier" not in part
        assert "expire le 1er mars 2027 à 11:00" in part


def test_the_invitation_subject_reads_exactly(invitation_email, settings):
    subject = parsed(invitation_email)["Subject"]

    assert subject == (
        "Claire Durand vous invite à rejoindre l’espace d’Atelier Durand SAS chez "
        f"{settings.BANK_NAME}"
    )


def test_the_invitation_comes_from_the_bank_with_reply_to_and_the_portals_message_id(
    invitation_email, settings
):
    message = parsed(invitation_email)

    assert message["From"].addresses[0].display_name == f"{settings.BANK_NAME} · Mes équipes"
    assert message["Reply-To"].addresses[0].addr_spec == settings.EMAIL_REPLY_TO
    assert message["Message-ID"].endswith(f"@{settings.EMAIL_MESSAGE_ID_DOMAIN}>")
    assert settings.EMAIL_MESSAGE_ID_DOMAIN != "localhost"


def test_the_invitation_names_the_bank_and_carries_the_safety_line(invitation_email, settings):
    for part in parts(invitation_email):
        assert settings.BANK_NAME in part
        assert SAFETY["fr"] in part


def test_in_english_nothing_is_elided_and_the_first_is_plain(admin, settings):
    invitation = create(admin, now=SENT_AT)
    request_code(invitation, admin, now=SENT_AT)
    mail.outbox.clear()

    # the email is written in the outbox, in the signer's language, when the invitation is signed
    with translation.override("en"):
        sign(invitation, admin, now=SENT_AT)
    dispatch(invitation, now=SENT_AT)

    [message] = mail.outbox
    assert isinstance(message, mail.EmailMultiAlternatives)
    assert parsed(message)["Subject"] == (
        f"Claire Durand invites you to join the area of Atelier Durand SAS at {settings.BANK_NAME}"
    )
    for part in parts(message):
        assert "the secure area of" in part
        assert "d’Atelier" not in part
        assert "expires on 1 March 2027, 11:00" in part
        assert SAFETY["en"] in part
        assert settings.BANK_NAME in part


def test_the_password_reset_email_has_the_same_headers_layout_and_bank(admin_user, settings):
    password_reset_request(email=admin_user.email, ip_address="203.0.113.7")
    deliver()

    [email] = mail.outbox
    assert isinstance(email, mail.EmailMultiAlternatives)
    message = parsed(email)
    assert message["Subject"] == (
        f"{settings.BANK_NAME} · Mes équipes : choisissez un nouveau mot de passe"
    )
    assert message["From"].addresses[0].display_name == f"{settings.BANK_NAME} · Mes équipes"
    assert message["Reply-To"].addresses[0].addr_spec == settings.EMAIL_REPLY_TO
    assert message["Message-ID"].endswith(f"@{settings.EMAIL_MESSAGE_ID_DOMAIN}>")
    for part in parts(email):
        assert f"Mes équipes de {settings.BANK_NAME}" in part
        assert SAFETY["fr"] in part
