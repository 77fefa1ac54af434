"""Simultaneous requests on PostgreSQL, from threads released together by a barrier."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.db import connection

from accounts.models import User
from audit.models import Action, AuditEvent
from companies.models import Membership
from core import sms
from core.models import Message
from core.tasks import message_deliver
from invitations import services
from invitations.models import Invitation, InvitationStatus
from otp import services as otp
from otp.models import AccessAuthorisation, ChallengeStatus, SignatureChallenge
from portal.celery import app
from tests.factories import PASSWORD, UserFactory
from tests.invitations.factories import IP, USER_AGENT, create, request_code, signed, token_in
from tests.otp.factories import NOW, last_code, wrong_code
from tests.reliability.conftest import status_of

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


def all_at_once(count: int, action: Callable[[], Any]) -> list[Outcome]:
    """Run `action` in `count` threads released at the same instant; what each returned or raised."""
    barrier = threading.Barrier(count)
    outcomes = [Outcome() for _ in range(count)]

    def run(outcome: Outcome) -> None:
        try:
            barrier.wait(timeout=30)
            outcome.value = action()
        except BaseException as error:
            outcome.error = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(outcome,)) for outcome in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return outcomes


def errors(outcomes: list[Outcome]) -> list[BaseException]:
    return [o.error for o in outcomes if o.error is not None]


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture(autouse=True)
def eager_tasks(settings):
    """Tasks queued on commit run at once in the thread that committed (locmem mail)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    (app.conf.changes or {}).pop("task_always_eager", None)


@pytest.fixture
def invitation_with_code(admin) -> tuple[Invitation, str]:
    invitation = create(admin)
    request_code(invitation, admin)
    return invitation, last_code()


def sent(admin: Membership) -> tuple[Invitation, str]:
    """Signed, and emailed at once by the eager dispatch; the token of the emailed link."""
    invitation = signed(admin)
    [message] = mail.outbox
    mail.outbox.clear()
    return invitation, token_in(message)


def sign_with(invitation: Invitation, admin: Membership, code: str) -> Callable[[], Invitation]:
    return lambda: services.invitation_sign(
        invitation_id=invitation.pk,
        company=admin.company,
        signer=admin.user,
        code=code,
        ip_address=IP,
        user_agent=USER_AGENT,
        now=NOW,
    )


def test_ten_simultaneous_right_codes_make_one_authorisation_and_one_email(
    admin, invitation_with_code
):
    invitation, code = invitation_with_code

    outcomes = all_at_once(10, sign_with(invitation, admin, code))

    assert sum(o.error is None for o in outcomes) == 1
    assert all(isinstance(e, services.InvitationRefused) for e in errors(outcomes))
    assert AccessAuthorisation.objects.filter(company=admin.company).count() == 1
    assert [m.to for m in mail.outbox] == [[invitation.email]]
    assert status_of(Invitation, invitation.pk) == InvitationStatus.SENT


def test_fifty_simultaneous_wrong_codes_are_each_counted_and_lock_the_challenge_at_five(
    admin, invitation_with_code, settings
):
    invitation, code = invitation_with_code

    outcomes = all_at_once(50, sign_with(invitation, admin, wrong_code(code)))

    refusals = errors(outcomes)
    assert len(refusals) == 50
    assert all(isinstance(e, otp.SignatureError) for e in refusals)
    messages = sorted(str(e) for e in refusals)
    wrong = [f"Code incorrect. Il vous reste {n} essai(s)." for n in (1, 2, 3, 4)]
    locked = otp.ChallengeLocked().message
    assert settings.OTP_MAX_WRONG_CODES == 5
    assert messages == sorted([*wrong, *[locked] * 46])
    invitation.refresh_from_db()
    challenge = SignatureChallenge.objects.get(pk=invitation.challenge_id)
    assert challenge.failed_attempts == 5
    assert challenge.status == ChallengeStatus.DEAD
    assert (
        AuditEvent.objects.filter(action=Action.CODE_WRONG, target_id=str(invitation.pk)).count()
        == 50
    )
    assert status_of(Invitation, invitation.pk) == InvitationStatus.AWAITING_SIGNATURE
    # the administrator's streak across challenges counts the same five, no more, no less
    assert User.objects.get(pk=admin.user.pk).consecutive_wrong_codes == 5


def test_ten_simultaneous_acceptances_of_one_link_make_one_membership(admin):
    invitation, token = sent(admin)
    invitee = UserFactory.create(email=invitation.email)

    outcomes = all_at_once(
        10,
        lambda: services.invitation_accept(token=token, user=invitee, ip_address=IP, now=NOW),
    )

    assert sum(o.error is None for o in outcomes) == 1
    assert {getattr(e, "reason", e) for e in errors(outcomes)} == {"used"}
    [membership] = Membership.objects.filter(company=admin.company, user=invitee)
    assert sorted(membership.grants.values_list("right", flat=True)) == sorted(invitation.rights)
    assert status_of(Invitation, invitation.pk) == InvitationStatus.ACCEPTED


def test_ten_simultaneous_new_account_acceptances_of_one_link_make_one_account(admin):
    invitation, token = sent(admin)
    pending = services.invitation_acceptance_begin(
        token=token,
        first_name="Léa",
        last_name="Martin",
        mobile="+33698765432",
        password=PASSWORD,
        now=NOW,
    )
    code = last_code()

    outcomes = all_at_once(
        10,
        lambda: services.invitation_accept_new_account(
            token=token, pending=pending, code=code, ip_address=IP, now=NOW
        ),
    )

    assert sum(o.error is None for o in outcomes) == 1
    assert {getattr(e, "reason", e) for e in errors(outcomes)} == {"used"}
    assert User.objects.filter(email__iexact=invitation.email).count() == 1
    assert (
        Membership.objects.filter(company=admin.company, user__email=invitation.email).count() == 1
    )


def test_the_same_dispatch_run_by_two_workers_at_once_sends_one_email(
    admin, invitation_with_code, monkeypatch
):
    invitation, code = invitation_with_code
    # the delivery queued by the signature is lost: only the two runs below send
    monkeypatch.setattr("core.outbox.writing.publish", lambda *args, **kwargs: False)
    sign_with(invitation, admin, code)()
    [message] = Message.objects.filter(about_id=str(invitation.pk))

    outcomes = all_at_once(
        2, lambda: message_deliver.apply(kwargs={"message_id": message.pk}).get()
    )

    assert sorted(o.value for o in outcomes) == [False, True]
    assert [m.to for m in mail.outbox] == [[invitation.email]]
    assert status_of(Invitation, invitation.pk) == InvitationStatus.SENT
