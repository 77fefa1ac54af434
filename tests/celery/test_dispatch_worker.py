"""The dispatch path as in production: the signature writes the email in the outbox and queues its
delivery on Redis, a worker emails."""

import json
import re
import threading
import time
from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import timezone

from core import sms
from core.models import Message
from core.tasks import message_deliver
from invitations import services
from invitations.models import Invitation, InvitationStatus
from tests.invitations.factories import IP, USER_AGENT, create, token_in
from tests.otp.factories import last_code

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.05)


def status_of(invitation: Invitation) -> str:
    return Invitation.objects.values_list("status", flat=True).get(pk=invitation.pk)


def dispatches_finished(task_log) -> list:
    return [f for f in task_log.finished if f[0] == message_deliver.name]


@pytest.fixture
def signed_through_the_broker(admin, task_log):
    """Create, ask for the code and sign as the pages do; the signature queues the dispatch."""
    sms.outbox.clear()
    invitation = create(admin, now=timezone.now())
    services.invitation_request_code(
        invitation_id=invitation.pk,
        company=admin.company,
        signer=admin.user,
        ip_address=IP,
        now=timezone.now(),
    )
    code = last_code()
    services.invitation_sign(
        invitation_id=invitation.pk,
        company=admin.company,
        signer=admin.user,
        code=code,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=timezone.now(),
    )
    return invitation, code


def test_the_worker_emails_the_signed_invitation_and_marks_it_sent(signed_through_the_broker):
    invitation, _code = signed_through_the_broker

    wait_for(lambda: status_of(invitation) == InvitationStatus.SENT)

    wait_for(lambda: len(mail.outbox) == 1)
    assert mail.outbox[0].to == [invitation.email]


def test_the_task_ran_in_the_worker_thread_not_in_the_test(signed_through_the_broker, task_log):
    wait_for(lambda: len(dispatches_finished(task_log)) == 1)

    assert task_log.started_in
    assert threading.get_ident() not in task_log.started_in


def test_the_task_goes_to_this_runs_queue(signed_through_the_broker, task_log, settings):
    wait_for(lambda: len(dispatches_finished(task_log)) == 1)

    # the email's delivery, and the sealing of the authorisation's PDF
    assert {m["routing_key"] for m in task_log.published} == {settings.CELERY_TASK_DEFAULT_QUEUE}


def test_the_task_message_carries_only_the_outbox_row_id(signed_through_the_broker, task_log):
    invitation, code = signed_through_the_broker
    wait_for(lambda: len(mail.outbox) == 1)
    token = token_in(mail.outbox[0])
    [row] = Message.objects.filter(about_id=str(invitation.pk))

    [message] = [m for m in task_log.published if m["task"] == message_deliver.name]
    args, kwargs, _embed = message["body"]
    assert (list(args), kwargs) == ([], {"message_id": row.pk})
    on_the_wire = json.dumps(message, default=str)
    assert code not in on_the_wire
    assert token not in on_the_wire
    assert not re.search(r"(?<!\d)\d{6}(?!\d)", json.dumps([args, kwargs]))


def test_dispatch_queued_twice_sends_one_email(signed_through_the_broker, task_log):
    invitation, _code = signed_through_the_broker

    [row] = Message.objects.filter(about_id=str(invitation.pk))
    message_deliver.delay(message_id=row.pk)
    wait_for(lambda: len(dispatches_finished(task_log)) == 2)

    assert sorted(retval for _name, _kwargs, retval in dispatches_finished(task_log)) == [
        False,
        True,
    ]
    assert len(mail.outbox) == 1
    assert status_of(invitation) == InvitationStatus.SENT
