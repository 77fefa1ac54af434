"""Support's moves of a request reach its followers through the outbox: one email per person,
written with the move, each sent once."""

import pytest
from django.core import mail
from django.utils import timezone

from client_requests.kinds import RequestStatus
from client_requests.services import request_move
from core import outbox
from core.models import Message
from permissions.catalogue import Right
from tests.client_requests.factories import make_request
from tests.factories import UserFactory
from tests.mail_backends import SECOND_MESSAGE_FAILS_ONCE, SecondMessageFailsOnce
from tests.outbox import deliver, run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory.create(is_staff=True, is_superuser=True)


@pytest.fixture
def submitted(collaborator_with):
    return make_request(membership=collaborator_with(Right.COMPANY_REQUESTS), submit=True)


def move(submitted, staff, to_status=RequestStatus.IN_REVIEW, comment=""):
    request_move(
        reason="vérifié avec le client par téléphone",
        client_request=submitted,
        to_status=to_status,
        comment=comment,
        by=staff,
    )
    return submitted.status_changes.get(to_status=to_status)


def test_a_bank_move_emails_the_author_with_the_comment_once(
    submitted, staff, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        change = move(
            submitted, staff, RequestStatus.REFUSED, "Le projet ne correspond pas à notre offre."
        )

    assert run_tasks() == []  # delivered on commit, nothing left to send
    assert [message.to for message in mail.outbox] == [[submitted.author.email]]
    assert "Refusée" in mail.outbox[0].subject
    assert "Le projet ne correspond pas à notre offre." in mail.outbox[0].body
    change.refresh_from_db()
    assert change.notified_at is not None


def test_members_holding_the_right_are_told_too(submitted, staff, collaborator_with):
    colleague = collaborator_with(Right.COMPANY_REQUESTS)
    collaborator_with(Right.DOCUMENTS)
    change = move(submitted, staff)

    assert deliver() == 2

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [submitted.author.email, colleague.user.email]
    )
    assert (
        Message.objects.filter(about_id=str(change.pk), company_id=submitted.company_id).count()
        == 2
    )


def test_the_companys_own_moves_send_nothing(submitted):
    assert deliver() == 0
    assert mail.outbox == []


def test_a_mail_failure_on_the_second_follower_emails_each_one_once(
    submitted, staff, collaborator_with, settings, monkeypatch
):
    colleague = collaborator_with(Right.COMPANY_REQUESTS)
    move(submitted, staff)
    settings.EMAIL_BACKEND = SECOND_MESSAGE_FAILS_ONCE
    monkeypatch.setattr(SecondMessageFailsOnce, "attempts", 0)

    assert run_tasks() == [True, True]

    assert SecondMessageFailsOnce.attempts == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [submitted.author.email, colleague.user.email]
    )


def test_the_followers_are_emailed_once_when_delivered_twice(submitted, staff, collaborator_with):
    collaborator_with(Right.COMPANY_REQUESTS)
    change = move(submitted, staff)
    messages = list(Message.objects.filter(about_id=str(change.pk)))

    deliver()
    again = [
        outbox.message_deliver(message_id=message.pk, now=timezone.now()).sent
        for message in messages
    ]

    assert again == [False, False]
    assert len(mail.outbox) == 2
