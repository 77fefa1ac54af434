"""The code, the link's token and the passwords never appear in the logs (DEBUG level), the audit
trail, the Celery task messages or any text column of the database, along the whole main path and
along the signing of a rights change."""

import base64
import json
import logging
import re

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from invitations.models import Invitation
from permissions.catalogue import Right
from permissions.models import Grant
from teams.models import RightsChange
from tests.factories import UserFactory
from tests.invitations.factories import dispatch
from tests.login import accept_new_account, log_in
from tests.otp.factories import last_code, wrong_code

pytestmark = pytest.mark.django_db

ADMIN_PASSWORD = "Secret-Admin-Passphrase-7731"
INVITEE_PASSWORD = "Secret-Invitee-Passphrase-4410"
LEA = "lea.martin@partenaire.example"
TEXT_TYPES = {"text", "character varying", "jsonb", "json", "character"}


@pytest.fixture
def queue():
    """The Celery queue of this run, read straight from Redis."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    name = settings.CELERY_TASK_DEFAULT_QUEUE
    client.delete(name)
    yield lambda: client.lrange(name, 0, -1)
    client.delete(name)
    client.close()


def task_messages(raw_messages: list[bytes]) -> list[str]:
    """Each message as sent to the broker, with its body decoded."""
    found = []
    for raw in raw_messages:
        envelope = json.loads(raw)
        body = envelope.get("body", "")
        if envelope.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body).decode()
        found.append(raw.decode() + "\n" + body)
    return found


def text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema()"
        )
        described = cursor.fetchall()
    tables = set(connection.introspection.table_names())
    return [
        (table, column)
        for table, column, kind in described
        if table in tables and kind in TEXT_TYPES
    ]


def database_texts() -> list[str]:
    texts = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            quoted_table, quoted_column = (
                connection.ops.quote_name(table),
                connection.ops.quote_name(column),
            )
            cursor.execute(f"SELECT {quoted_column}::text FROM {quoted_table}")  # noqa: S608
            texts += [f"{table}.{column}: {value}" for (value,) in cursor.fetchall() if value]
    for session in Session.objects.all():
        texts.append(f"session: {json.dumps(session.get_decoded(), default=str)}")
    return texts


def leaks(secrets: dict[str, str], texts: list[str]) -> list[str]:
    found = []
    for label, secret in secrets.items():
        pattern = re.compile(rf"(?<![0-9A-Za-z_-]){re.escape(secret)}(?![0-9A-Za-z_-])")
        found += [f"{label} in {text[:200]}" for text in texts if pattern.search(text)]
    return found


def test_no_secret_is_kept_anywhere_along_the_main_path(
    caplog, queue, admin, company, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    admin.user.set_password(ADMIN_PASSWORD)
    admin.user.save()
    browser = Client()

    log_in(browser, admin.user.email, ADMIN_PASSWORD)
    browser.post(
        reverse("invitations:create", args=[company.pk]),
        {"first_name": "Léa", "last_name": "Martin", "email": LEA, "rights": [Right.DOCUMENTS]},
    )
    invitation = Invitation.objects.get(company=company, email=LEA)
    browser.post(reverse("invitations:send_code", args=[company.pk, invitation.pk]))
    code = last_code()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(reverse("invitations:sign", args=[company.pk, invitation.pk]), {"code": code})
    # the worker's part: the task message only says which outbox row
    token = dispatch(invitation, now=timezone.now())
    accept_url = reverse("invitations:accept", args=[token])

    intruder = Client()
    intruder.force_login(UserFactory.create(email="intrus@ailleurs.example"))
    assert intruder.post(accept_url).status_code == 403
    invitee = Client()
    invitee.get(accept_url)
    invitee.head(accept_url)
    with django_capture_on_commit_callbacks(execute=True):
        accepted = accept_new_account(
            invitee,
            accept_url,
            {
                "first_name": "Léa",
                "last_name": "Martin",
                "mobile": "06 98 76 54 32",
                "password1": INVITEE_PASSWORD,
                "password2": INVITEE_PASSWORD,
            },
        )
    assert accepted.status_code == 302
    assert Client().post(accept_url).status_code == 410

    # the new collaborator changes their own mobile (an administrator's is set by support)
    invitee.post(
        reverse("accounts:mobile_change"),
        {"password": INVITEE_PASSWORD, "mobile": "06 11 22 33 44"},
    )
    mobile_code = last_code()
    with django_capture_on_commit_callbacks(execute=True):
        invitee.post(reverse("accounts:mobile_change_confirm"), {"code": mobile_code})
    assert str(User.objects.get(email=LEA).mobile) == "+33611223344"

    secrets = {
        "code": code,
        "mobile code": mobile_code,
        "token": token,
        "admin password": ADMIN_PASSWORD,
        "invitee password": INVITEE_PASSWORD,
    }
    log_texts = [caplog.text, *(record.getMessage() for record in caplog.records)]
    assert leaks(secrets, log_texts) == []
    audit_texts = [json.dumps(event, default=str) for event in AuditEvent.objects.values()]
    assert len(audit_texts) > 5
    assert leaks(secrets, audit_texts) == []
    messages = task_messages(queue())
    assert len(messages) >= 2
    assert leaks(secrets, messages) == []
    stored = database_texts()
    assert any("Léa" in text for text in stored)
    assert leaks(secrets, stored) == []


def test_the_scan_would_see_a_secret_written_in_clear(admin):
    admin.user.first_name = "Secret-Admin-Passphrase-7731"
    admin.user.save()

    assert leaks({"admin password": ADMIN_PASSWORD}, database_texts()) != []


def test_no_code_is_kept_anywhere_along_the_rights_change_signing_path(
    caplog, queue, admin, company, collaborator_with, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    admin.user.set_password(ADMIN_PASSWORD)
    admin.user.save()
    member = collaborator_with(Right.DOCUMENTS)
    browser = Client()
    log_in(browser, admin.user.email, ADMIN_PASSWORD)
    rights = [Right.DOCUMENTS, Right.BANK_DETAILS]
    on_member = [company.pk, member.pk]

    assert browser.get(reverse("teams:member", args=on_member)).status_code == 200
    browser.post(reverse("teams:rights_review", args=on_member), {"rights": rights})
    browser.post(reverse("teams:rights_request", args=on_member), {"rights": rights})
    change = RightsChange.objects.get(membership=member)
    sign_url = reverse("teams:rights_sign", args=[company.pk, member.pk, change.pk])
    browser.post(reverse("teams:rights_send_code", args=[company.pk, member.pk, change.pk]))
    code = last_code()
    wrong = wrong_code(code)
    browser.post(sign_url, {"code": wrong})
    with django_capture_on_commit_callbacks(execute=True):
        signed = browser.post(sign_url, {"code": code})
    assert signed.status_code == 302
    assert Grant.objects.filter(membership=member, right=Right.BANK_DETAILS).exists()
    # replaying the used code changes nothing and writes it nowhere either
    browser.post(sign_url, {"code": code})

    secrets = {"code": code, "wrong code": wrong, "admin password": ADMIN_PASSWORD}
    log_texts = [caplog.text, *(record.getMessage() for record in caplog.records)]
    assert leaks(secrets, log_texts) == []
    audit_texts = [
        json.dumps(event, default=str)
        for event in AuditEvent.objects.filter(company=company).values()
    ]
    assert any("rights" in text for text in audit_texts)
    assert leaks(secrets, audit_texts) == []
    # the member's email and the administrators' warning for a money right
    messages = task_messages(queue())
    assert len(messages) >= 2
    assert leaks(secrets, messages) == []
    stored = database_texts()
    assert any(Right.BANK_DETAILS.value in text for text in stored)
    assert leaks(secrets, stored) == []
