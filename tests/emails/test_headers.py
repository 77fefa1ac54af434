"""core.email.build_email: who writes, where replies go, the Message-ID, a subject read exactly."""

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core.mail import BadHeaderError, EmailMultiAlternatives

from core.email import build_email

# long, accented, with a company name: what the invitation's subject looks like
SUBJECT = (
    "Claire Durand vous invite à rejoindre l’espace d’Atelier Durand SAS chez Banque Exemple "
    "— Éditions spéciales Île-de-France"
)


def parsed(message: EmailMultiAlternatives) -> EmailMessage:
    """What a mail client reads: the bytes as sent, parsed by the modern email package."""
    result = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert isinstance(result, EmailMessage)
    return result


def build(subject: str = SUBJECT) -> EmailMultiAlternatives:
    return build_email(to="lea.martin@partenaire.example", subject=subject, text="t", html="<p>h")


@pytest.mark.parametrize(
    "subject",
    [
        SUBJECT,
        "Mes équipes",
        "Alerte trésorerie : le solde prévu d’Atelier Durand SAS passe sous votre seuil",
        "A plain ASCII subject that is long enough to be folded by the generator, twice over, yes",
        "Léa Martin a rejoint Atelier Durand SAS" * 4,
    ],
)
def test_the_subject_decodes_exactly_as_written(subject):
    assert parsed(build(subject))["Subject"] == subject


def test_no_header_starts_with_an_empty_line(settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "mes-equipes.une-banque-au-nom-de-domaine-long.example"

    raw = build().message().as_bytes()

    assert b": \n" not in raw.split(b"\n\n")[0]
    assert b"Subject: =?utf-8?" in raw


def test_why_django_alone_is_not_enough():
    """The cause, kept visible: Django 5.2 folds the encoded subject without the header's name,
    the generator folds it again, and a reader sees a leading space."""
    plain = EmailMultiAlternatives(subject=SUBJECT, body="t", to=["lea@partenaire.example"])

    assert parsed(plain)["Subject"] == " " + SUBJECT


def test_a_subject_from_a_template_becomes_one_line():
    assert parsed(build("Mes équipes :\n  votre signature\n"))["Subject"] == (
        "Mes équipes : votre signature"
    )


def test_a_line_break_left_in_a_subject_still_cannot_inject_a_header():
    message = build()
    message.subject = "Bonjour\nBcc: pirate@example.com"

    with pytest.raises(BadHeaderError):
        message.message()


def test_the_bank_writes_and_replies_go_to_its_support(settings):
    message = parsed(build())

    [sender] = message["From"].addresses
    assert sender.display_name == f"{settings.BANK_NAME} · Mes équipes"
    assert sender.addr_spec == settings.EMAIL_FROM_ADDRESS
    [reply_to] = message["Reply-To"].addresses
    assert reply_to.addr_spec == settings.EMAIL_REPLY_TO
    assert message["To"] == "lea.martin@partenaire.example"


def test_the_message_id_names_the_portals_domain(settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "mes-equipes.banque.example"

    message_id = parsed(build())["Message-ID"]

    assert message_id.startswith("<")
    assert message_id.endswith("@mes-equipes.banque.example>")
    assert "localhost" not in message_id


def test_each_email_has_its_own_message_id():
    assert parsed(build())["Message-ID"] != parsed(build())["Message-ID"]


def test_no_reply_to_when_support_has_no_address(settings):
    settings.EMAIL_REPLY_TO = ""

    assert "Reply-To" not in parsed(build())


def test_an_accented_bank_name_reads_exactly_in_the_sender(settings):
    settings.DEFAULT_FROM_EMAIL = "Crédit Coopératif Île · Mes équipes <no-reply@banque.example>"

    [sender] = parsed(build())["From"].addresses

    assert sender.display_name == "Crédit Coopératif Île · Mes équipes"


def test_both_parts_are_sent():
    message = parsed(build())

    assert message.get_body(preferencelist=("plain",)).get_content() == "t"
    assert message.get_body(preferencelist=("html",)).get_content() == "<p>h"
