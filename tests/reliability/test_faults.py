"""Nothing lost when Redis, a worker or the mail server fails: each invitation is emailed once.

The email is a row of the outbox written with the signature; a worker claims it, sends with no
transaction open, and records the outcome; the sweep queues again what a lost broker or a dead
worker dropped."""

import os
import signal
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from core import sms
from core.models import Message, MessageStatus
from core.tasks import messages_sweep
from invitations.models import Invitation, InvitationStatus
from invitations.services import hash_token
from otp.models import AccessAuthorisation
from tests.factories import UserFactory
from tests.invitations.factories import TOKEN, InvitationFactory, create, request_code, sign
from tests.login import accept_new_account
from tests.otp.factories import last_code
from tests.outbox import deliver, emails_to
from tests.reliability.conftest import status_of, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def signed_now(admin) -> Invitation:
    """Create, ask for the code and sign as the pages do; the signature queues the dispatch."""
    invitation = create(admin, now=timezone.now())
    request_code(invitation, admin, now=timezone.now())
    return sign(invitation, admin, now=timezone.now())


def email_of(invitation: Invitation) -> Message:
    [message] = emails_to(invitation.email)
    return message


def token_in(data: bytes) -> str:
    # the plain-text part carries the link; quoted-printable may wrap it with "=\r\n"
    text = data.decode("utf-8", errors="replace").replace("=\r\n", "")
    match = TOKEN.search(text)
    assert match is not None, text
    return match.group(1)


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_signature_made_while_redis_is_down_is_emailed_once_redis_is_back(
    outage, admin, admin_client, private_broker, fake_smtp, start_worker_process, settings
):
    # one Redis for the broker and the cache, as in production
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": private_broker.url}}
    invitation = create(admin, now=timezone.now())
    request_code(invitation, admin, now=timezone.now())
    private_broker.stop() if outage == "stopped" else private_broker.freeze()

    started = time.monotonic()
    response = admin_client.post(
        reverse("invitations:sign", args=[admin.company.pk, invitation.pk]), {"code": last_code()}
    )
    signing_took = time.monotonic() - started

    assert response.status_code == 302
    assert response["Location"] == reverse("teams:team", args=[admin.company.pk])
    assert signing_took < 5
    assert status_of(Invitation, invitation.pk) == InvitationStatus.SIGNED
    assert AccessAuthorisation.objects.filter(company=admin.company).count() == 1

    assert status_of(Message, email_of(invitation).pk) == MessageStatus.PENDING

    private_broker.start() if outage == "stopped" else private_broker.thaw()
    settings.MESSAGE_STALL_SECONDS = 0
    assert messages_sweep.apply().get() == 1
    worker = start_worker_process()
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.SENT,
        what="the swept invitation to be sent",
        alive=worker.check_alive,
    )
    # a frozen Redis may still run the publish that timed out: the worker then gets two messages
    wait_for(
        lambda: private_broker.holds_no_message(settings.CELERY_TASK_DEFAULT_QUEUE),
        what="the worker to take every message",
        alive=worker.check_alive,
    )

    assert messages_sweep.apply().get() == 0
    assert [d.recipients for d in fake_smtp.delivered] == [[f"<{invitation.email}>"]]


def test_a_worker_killed_in_the_middle_of_a_dispatch_gives_exactly_one_email(
    admin, fake_smtp, start_worker_process, settings
):
    fake_smtp.hang_next = 1
    invitation = signed_now(admin)
    # short visibility timeout: the lost worker's unacknowledged message comes back in a second
    redelivery = {
        "CELERY_VISIBILITY_TIMEOUT": "1",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
    }
    first = start_worker_process(**redelivery)
    wait_for(
        fake_smtp.hanging.is_set, what="the first worker to be inside DATA", alive=first.check_alive
    )

    first.kill()

    # its claim was committed before it sent: the row says a delivery is under way
    assert status_of(Message, email_of(invitation).pk) == MessageStatus.SENDING
    assert status_of(Invitation, invitation.pk) == InvitationStatus.SIGNED
    assert fake_smtp.delivered == []
    second = start_worker_process(**redelivery)
    # once the dead delivery's time limit is over, the sweep hands the message to a live worker
    settings.MESSAGE_STALL_SECONDS = 0
    assert messages_sweep.apply().get() == 1
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.SENT,
        what="the redelivered dispatch to be sent",
        alive=second.check_alive,
    )

    assert fake_smtp.received == 2
    [delivered] = fake_smtp.delivered
    assert delivered.recipients == [f"<{invitation.email}>"]
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token_in(delivered.data))


def test_a_pool_process_killed_in_the_middle_of_a_dispatch_gives_exactly_one_email(
    admin, fake_smtp, start_worker_process, settings
):
    fake_smtp.hang_next = 1
    worker = start_worker_process(pool="prefork")
    invitation = signed_now(admin)
    wait_for(
        fake_smtp.hanging.is_set,
        what="the pool process to be inside DATA",
        alive=worker.check_alive,
    )
    [pool_process] = worker.pool_processes()

    os.kill(pool_process, signal.SIGKILL)

    # acknowledged late, the lost process's message comes back at once but finds the delivery
    # under way; once its time limit is over the sweep queues it again
    settings.MESSAGE_STALL_SECONDS = 0
    assert messages_sweep.apply().get() == 1
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.SENT,
        what="the requeued dispatch to be sent",
        alive=worker.check_alive,
    )
    assert fake_smtp.received == 2
    assert [d.recipients for d in fake_smtp.delivered] == [[f"<{invitation.email}>"]]


def test_a_mail_server_failing_twice_then_working_gives_one_email(
    admin, fake_smtp, start_worker_process
):
    fake_smtp.refuse_next = 2
    worker = start_worker_process()

    invitation = signed_now(admin)
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.SENT,
        what="the third try to send the email",
        alive=worker.check_alive,
    )

    assert fake_smtp.received == 3
    [delivered] = fake_smtp.delivered
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(token_in(delivered.data))


def test_after_the_last_retry_the_invitation_is_failed_and_audited(
    admin, fake_smtp, start_worker_process
):
    fake_smtp.refuse_next = 100
    worker = start_worker_process(MESSAGE_MAX_ATTEMPTS="3")

    invitation = signed_now(admin)
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.FAILED,
        what="the last retry to fail",
        alive=worker.check_alive,
    )

    assert fake_smtp.received == 3
    assert fake_smtp.delivered == []
    assert AuditEvent.objects.filter(
        action=Action.EMAIL_FAILED, company=admin.company, target_id=str(invitation.pk)
    ).exists()


@pytest.fixture
def worker_for_failures(start_worker_process):
    return start_worker_process(MESSAGE_MAX_ATTEMPTS="2")


@pytest.fixture
def failed_invitation(admin, fake_smtp, worker_for_failures) -> Invitation:
    """An invitation whose every email the mail server refused, through the real worker."""
    fake_smtp.refuse_next = 100
    invitation = signed_now(admin)
    wait_for(
        lambda: status_of(Invitation, invitation.pk) == InvitationStatus.FAILED,
        what="the dispatch to fail",
        alive=worker_for_failures.check_alive,
    )
    invitation.refresh_from_db()
    return invitation


def test_mes_equipes_shows_a_failed_invitation_with_a_resend_action(
    failed_invitation, admin_client
):
    response = admin_client.get(reverse("teams:team", args=[failed_invitation.company_id]))

    assert response.status_code == 200
    page = response.text
    assert failed_invitation.email in page
    assert "Échec d’envoi" in page
    resend = reverse(
        "invitations:resend", args=[failed_invitation.company_id, failed_invitation.pk]
    )
    assert f'action="{resend}"' in page
    assert "Renvoyer" in page


def test_support_finds_failed_invitations_with_the_admin_filter(failed_invitation, admin):
    open_one = InvitationFactory.create(
        company=admin.company, invited_by=admin.user, email="autre@partenaire.example"
    )
    staff = UserFactory.create(email="support@banque.example", is_staff=True, is_superuser=True)
    support = Client()
    support.force_login(staff)
    changelist = reverse("admin:invitations_invitation_changelist")

    response = support.get(changelist, {"status__exact": InvitationStatus.FAILED})

    assert response.status_code == 200
    assert failed_invitation.email in response.text
    assert open_one.email not in response.text
    assert "Échec d’envoi" in support.get(changelist).text  # the filter offers the status


def test_resending_a_failed_invitation_emails_it_once_the_mail_server_is_back(
    failed_invitation, admin_client, fake_smtp, worker_for_failures
):
    fake_smtp.refuse_next = 0
    resend = reverse(
        "invitations:resend", args=[failed_invitation.company_id, failed_invitation.pk]
    )

    response = admin_client.post(resend)

    assert response.status_code == 302
    wait_for(
        lambda: status_of(Invitation, failed_invitation.pk) == InvitationStatus.SENT,
        what="the resent invitation to be emailed",
        alive=worker_for_failures.check_alive,
    )
    [delivered] = fake_smtp.delivered
    assert delivered.recipients == [f"<{failed_invitation.email}>"]


def test_accepting_while_redis_is_down_answers_and_the_inviter_is_emailed_once_it_is_back(
    admin, client, private_broker, settings
):
    invitation = signed_now(admin)
    assert deliver() == 1
    token = token_in(mail.outbox[-1].message().as_bytes())
    private_broker.stop()

    response = accept_new_account(
        client,
        reverse("invitations:accept", args=[token]),
        {
            "first_name": "Léa",
            "last_name": "Martin",
            "mobile": "06 98 76 54 32",
            "password1": "un-mot-de-passe-bien-long",
            "password2": "un-mot-de-passe-bien-long",
        },
    )

    assert response.status_code == 302
    assert status_of(Invitation, invitation.pk) == InvitationStatus.ACCEPTED
    [notice] = emails_to(admin.user.email)
    assert notice.status == MessageStatus.PENDING

    private_broker.start()
    settings.MESSAGE_STALL_SECONDS = 0
    assert messages_sweep.apply().get() == 1
    assert deliver() == 1  # the swept task, as a worker runs it
    assert [m.to for m in mail.outbox[1:]] == [[admin.user.email]]
