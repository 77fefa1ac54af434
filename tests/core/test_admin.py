"""Support sees every message in the Django admin, resends a failed email, and reads no secret."""

import smtplib

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from core import outbox
from core.models import Message, MessageStatus
from tests.factories import UserFactory
from tests.invitations.factories import create, request_code, sent, sign
from tests.otp.factories import NOW, last_code

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:core_message_changelist")


class Refusing:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


@pytest.fixture
def support():
    staff = UserFactory(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def signed_invitation(admin):
    """Signed as the pages do: a code's SMS (kept masked) and the invitation's email, pending."""
    invitation = create(admin)
    request_code(invitation, admin)
    code = last_code()
    return sign(invitation, admin, code=code), code


def page_of(support, message) -> str:
    return support.get(reverse("admin:core_message_change", args=[message.pk])).text


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"status__exact": "pending"}, 1),
        ({"status__exact": "sent"}, 1),
        ({"kind__exact": "sms"}, 1),
        ({"kind__exact": "email"}, 1),
        ({"q": "lea.martin"}, 1),
        ({"q": "personne"}, 0),
    ],
)
def test_support_filters_the_messages_by_status_kind_and_recipient(
    support, signed_invitation, query, count
):
    response = support.get(CHANGELIST, query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == count


def test_support_filters_the_messages_of_one_company(support, signed_invitation, admin):
    response = support.get(CHANGELIST, {"company_id": admin.company.pk})

    assert response.status_code == 200
    # the code's SMS and the invitation's email
    assert response.context["cl"].result_count == 2
    assert support.get(CHANGELIST, {"company_id": 987654}).context["cl"].result_count == 0


def test_no_page_shows_the_code_or_the_link(support, admin):
    invitation, token = sent(admin)
    code = last_code()
    pages = [support.get(CHANGELIST).text] + [
        page_of(support, message) for message in Message.objects.all()
    ]

    for page in pages:
        assert code not in page
        assert token not in page
    sms_page = page_of(support, Message.objects.get(kind="sms"))
    assert outbox.CODE_MASK in sms_page
    assert invitation.email in page_of(support, Message.objects.get(kind="email"))


def test_support_resends_a_failed_email(
    support, signed_invitation, settings, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        "core.outbox.sweeping.publish", lambda name, **kwargs: published.append(kwargs)
    )
    settings.EMAIL_BACKEND = "tests.core.test_admin.Refusing"
    email = Message.objects.get(kind="email")
    for _attempt in range(settings.MESSAGE_MAX_ATTEMPTS):
        outbox.message_deliver(message_id=email.pk, now=NOW)
    assert Message.objects.get(pk=email.pk).status == MessageStatus.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        response = support.post(CHANGELIST, {"action": "resend", "_selected_action": [email.pk]})

    email.refresh_from_db()
    assert (email.status, email.attempts) == (MessageStatus.PENDING, 0)
    assert published == [{"message_id": email.pk}]
    assert messages_of(response) == [f"E-mail renvoyé : {email.to}"]


def test_a_message_not_failed_is_not_resent(support, signed_invitation):
    email = Message.objects.get(kind="email")

    response = support.post(CHANGELIST, {"action": "resend", "_selected_action": [email.pk]})

    assert Message.objects.get(pk=email.pk).status == MessageStatus.PENDING
    assert messages_of(response) == [f"{email.to} : seul un e-mail en échec peut être renvoyé."]
    assert mail.outbox == []


def test_messages_are_neither_added_changed_nor_deleted(support, signed_invitation):
    email = Message.objects.get(kind="email")
    change = reverse("admin:core_message_change", args=[email.pk])

    assert support.get(reverse("admin:core_message_add")).status_code == 403
    support.post(change, {"to": "intrus@ailleurs.example"})
    delete = support.post(reverse("admin:core_message_delete", args=[email.pk]), {"post": "yes"})

    assert delete.status_code == 403
    assert Message.objects.get(pk=email.pk).to == email.to
