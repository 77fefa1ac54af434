import pytest
from client_requests.tasks import notify_status_change
from django.core import mail
from django.utils import timezone

from client_requests.kinds import RequestStatus
from client_requests.services import request_move, status_change_notify
from permissions.catalogue import Right
from tests.client_requests.factories import make_request
from tests.factories import UserFactory
from tests.mail_backends import SECOND_MESSAGE_FAILS_ONCE, SecondMessageFailsOnce

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory.create(is_staff=True, is_superuser=True)


@pytest.fixture
def submitted(collaborator_with):
    return make_request(membership=collaborator_with(Right.COMPANY_REQUESTS), submit=True)


def test_a_bank_move_emails_the_author_with_the_comment_once(
    submitted, staff, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request_move(
            client_request=submitted,
            to_status=RequestStatus.REFUSED,
            comment="Le projet ne correspond pas à notre offre.",
            by=staff,
        )
    change = submitted.status_changes.get(to_status=RequestStatus.REFUSED)

    notify_status_change(status_change_id=change.pk)

    assert [message.to for message in mail.outbox] == [[submitted.author.email]]
    assert "Refusée" in mail.outbox[0].subject
    assert "Le projet ne correspond pas à notre offre." in mail.outbox[0].body
    change.refresh_from_db()
    assert change.notified_at is not None


def test_members_holding_the_right_are_told_too(submitted, staff, collaborator_with):
    colleague = collaborator_with(Right.COMPANY_REQUESTS)
    collaborator_with(Right.DOCUMENTS)
    change = request_move(
        client_request=submitted, to_status=RequestStatus.IN_REVIEW, comment="", by=staff
    ).status_changes.get(to_status=RequestStatus.IN_REVIEW)

    sent = status_change_notify(status_change_id=change.pk, now=timezone.now())

    assert sent == 2
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [submitted.author.email, colleague.user.email]
    )


def test_the_companys_own_moves_send_nothing(submitted):
    change = submitted.status_changes.get(to_status=RequestStatus.SUBMITTED)

    assert status_change_notify(status_change_id=change.pk, now=timezone.now()) == 0
    assert mail.outbox == []


def test_a_mail_failure_on_the_second_follower_emails_each_one_once(
    submitted, staff, collaborator_with, settings, monkeypatch
):
    colleague = collaborator_with(Right.COMPANY_REQUESTS)
    change = request_move(
        client_request=submitted, to_status=RequestStatus.IN_REVIEW, comment="", by=staff
    ).status_changes.get(to_status=RequestStatus.IN_REVIEW)
    settings.EMAIL_BACKEND = SECOND_MESSAGE_FAILS_ONCE
    monkeypatch.setattr(SecondMessageFailsOnce, "attempts", 0)

    notify_status_change.apply(kwargs={"status_change_id": change.pk})

    assert SecondMessageFailsOnce.attempts == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [submitted.author.email, colleague.user.email]
    )
    change.refresh_from_db()
    assert change.notified_at is not None


def test_the_followers_are_emailed_once_when_the_task_runs_twice(
    submitted, staff, collaborator_with
):
    collaborator_with(Right.COMPANY_REQUESTS)
    change = request_move(
        client_request=submitted, to_status=RequestStatus.IN_REVIEW, comment="", by=staff
    ).status_changes.get(to_status=RequestStatus.IN_REVIEW)

    notify_status_change.apply(kwargs={"status_change_id": change.pk})
    second = notify_status_change.apply(kwargs={"status_change_id": change.pk})

    assert second.get() == 0
    assert len(mail.outbox) == 2
