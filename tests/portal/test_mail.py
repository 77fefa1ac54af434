import pytest
from django.core import mail

from portal.mail import send_templated_email

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
    assert message.subject == "Mes équipes :votre signature"
    assert "le support" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "le support" in str(html)
