import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from portal.mail import send_templated_email, send_templated_email_once
from portal.models import SentEmail

pytestmark = pytest.mark.django_db


def test_an_email_has_a_one_line_subject_a_text_part_and_an_html_part(admin_user):
    send_templated_email(
        to="lea@partenaire.example",
        subject="Mes équipes :\nvotre signature\n",
        template="otp/email/signing_locked",
        context={"user": admin_user, "wrong_codes": 20, "support": "le support"},
    )

    [message] = mail.outbox
    assert message.to == ["lea@partenaire.example"]
    assert message.subject == "Mes équipes : votre signature"
    assert "le support" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "le support" in str(html)


def send_once(recipient, notification="test:1"):
    return send_templated_email_once(
        notification=notification,
        recipient=recipient,
        now=timezone.now(),
        subject="Mes équipes : votre signature",
        template="otp/email/signing_locked",
        context={"user": recipient, "wrong_codes": 20, "support": "le support"},
    )


def test_a_notification_reaches_a_person_once(admin_user):
    first, second = send_once(admin_user), send_once(admin_user)

    assert (first, second) == (True, False)
    assert [m.to for m in mail.outbox] == [[admin_user.email]]


def test_another_notification_reaches_the_same_person(admin_user):
    send_once(admin_user, "test:1")

    assert send_once(admin_user, "test:2")


def test_a_mail_failure_leaves_no_record_so_a_retry_sends(admin_user, settings):
    settings.EMAIL_BACKEND = "tests.mail_backends.Refusing"

    with pytest.raises(smtplib.SMTPException):
        send_once(admin_user)

    assert not SentEmail.objects.filter(recipient=admin_user).exists()
