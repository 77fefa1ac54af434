import datetime

import pytest
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import include, path, reverse

from core import dev_outbox as outbox
from portal.urls import urlpatterns as portal_urlpatterns

# settings_test has DEBUG off, so portal.urls left the outbox out: this module is the urlconf.
urlpatterns = [*portal_urlpatterns, path("dev/", include("portal.outbox_urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def outbox_dir(tmp_path, settings):
    settings.OUTBOX_DIR = tmp_path
    return tmp_path


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def send_email(*, subject="Invitation à rejoindre Atelier Durand SAS", html=None):
    message = EmailMultiAlternatives(
        subject=subject,
        body="Bonjour,\nAcceptez l’invitation : http://127.0.0.1:8000/invitations/abc/\n",
        from_email="Mes équipes <no-reply@mes-equipes.example>",
        to=["julien.petit@entreprise.example"],
    )
    if html:
        message.attach_alternative(html, "text/html")
    connection = get_connection("core.dev_outbox.OutboxEmailBackend")
    return connection.send_messages([message])


def test_the_backend_keeps_an_email_as_an_eml_file(outbox_dir):
    sent = send_email()

    assert sent == 1
    [path_] = (outbox_dir / "mail").glob("*.eml")
    assert b"Subject: " in path_.read_bytes()


def test_a_kept_email_is_listed_with_its_recipient_subject_and_bodies():
    send_email(html="<p>Bonjour <strong>Julien</strong></p>")

    [message] = outbox.list_messages()

    assert message.kind == "mail"
    assert message.to == "julien.petit@entreprise.example"
    assert message.subject == "Invitation à rejoindre Atelier Durand SAS"
    assert "http://127.0.0.1:8000/invitations/abc/" in message.text
    assert "<strong>Julien</strong>" in message.html
    assert message.sent_at <= datetime.datetime.now(tz=datetime.UTC)


def test_a_kept_sms_is_listed_with_its_recipient_body_and_code():
    outbox.write_sms(to="+33612345642", body="Mes équipes : votre code de signature est 482913.")

    [message] = outbox.list_messages()

    assert message.kind == "sms"
    assert message.to == "+33612345642"
    assert message.text == "Mes équipes : votre code de signature est 482913."
    assert message.code == "482913"


def test_messages_are_listed_newest_first():
    send_email()
    outbox.write_sms(to="+33612345642", body="Code 111111")

    kinds = [message.kind for message in outbox.list_messages()]

    assert kinds == ["sms", "mail"]


def test_an_empty_outbox_lists_nothing():
    assert outbox.list_messages() == []


def test_a_name_that_is_not_an_outbox_file_is_refused(outbox_dir):
    (outbox_dir / "secret.json").write_text("{}")

    assert outbox.get_message(kind="sms", name="../secret") is None


def test_the_page_shows_the_sms_code_and_the_email_with_clickable_links(client, debug):
    send_email()
    outbox.write_sms(to="+33612345642", body="Votre code de signature : 482913")

    response = client.get(reverse("outbox:index"))

    assert response.status_code == 200
    assert "Boîte d’envoi de développement" in response.text
    assert '<p class="sms-code">482913</p>' in response.text
    assert "Invitation à rejoindre Atelier Durand SAS" in response.text
    assert '<a href="http://127.0.0.1:8000/invitations/abc/"' in response.text


def test_the_page_refreshes_its_list_with_htmx(client, debug):
    outbox.write_sms(to="+33612345642", body="Code 123456")

    response = client.get(reverse("outbox:index"), headers={"HX-Request": "true"})

    assert response.text.lstrip().startswith('<div id="outbox-list"')
    assert 'hx-trigger="every 5s"' in response.text
    assert "<html" not in response.text


def test_an_email_page_shows_the_html_part_in_a_sandboxed_iframe(client, debug):
    send_email(html='<p onclick="alert(1)">Bonjour</p>')
    [message] = outbox.list_messages()

    response = client.get(reverse("outbox:message", args=["mail", message.name]))

    assert response.status_code == 200
    assert 'sandbox=""' in response.text
    html_url = reverse("outbox:message_html", args=["mail", message.name])
    assert f'src="{html_url}"' in response.text
    assert "onclick" not in response.text


def test_the_html_part_is_served_alone_with_a_policy_that_runs_nothing(client, debug):
    send_email(html='<p style="color: red" onclick="alert(1)">Bonjour</p>')
    [message] = outbox.list_messages()

    response = client.get(reverse("outbox:message_html", args=["mail", message.name]))

    assert response.status_code == 200
    assert response.text == '<p style="color: red" onclick="alert(1)">Bonjour</p>'
    policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "style-src 'unsafe-inline'" in policy
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_an_unknown_message_is_not_found(client, debug):
    response = client.get(reverse("outbox:message", args=["mail", "inconnu"]))

    assert response.status_code == 404


def test_the_page_is_not_found_when_debug_is_off(client, settings):
    settings.DEBUG = False
    outbox.write_sms(to="+33612345642", body="Code 123456")

    response = client.get(reverse("outbox:index"))

    assert response.status_code == 404
    assert "123456" not in response.text
