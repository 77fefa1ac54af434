"""Limits shared by every process: SMS per administrator, the wrong-code lock, login throttling,
the daily invitation ceiling, and what happens to each when Redis is down."""

import datetime
import logging
import re
import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import login_throttle
from audit.models import Action, AuditEvent
from backoffice.models import Proposal, ProposalStatus
from core import ratelimit, sms
from core.tasks import message_deliver
from invitations import services
from invitations.models import InvitationStatus
from invitations.services import InvitationRefused
from otp import services as otp
from otp.models import SignatureChallenge
from tests.factories import PASSWORD, UserFactory
from tests.invitations.factories import create, dispatch, request_code, sign, signed
from tests.otp.factories import CODE, NOW, last_code, wrong_code
from tests.outbox import deliver
from tests.outbox import pending as outbox_pending

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGIN_URL = reverse("accounts:login")
SUPPORT = "contactez le support de la banque"
WRONG_PASSWORD = "pas-le-bon-mot-de-passe"


def later(seconds: float) -> datetime.datetime:
    return NOW + datetime.timedelta(seconds=seconds)


def send_new_code(signer, *, now=NOW) -> SignatureChallenge:
    """A new challenge and its first SMS, as a new signature would."""
    challenge = otp.challenge_start(signer=signer, purpose="test", payload={"n": 1}, now=now)
    return otp.challenge_send(challenge=challenge, signer=signer, now=now, reason="un test")


def without_csrf_tokens(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html)


def log_in(client: Client, email: str, password: str = WRONG_PASSWORD, ip: str = "198.51.100.1"):
    return client.post(LOGIN_URL, {"email": email, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def redis_down(settings):
    """The cache points at a port where no Redis listens (Django rebuilds its cache handler)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


# --- SMS per administrator --------------------------------------------------------------------


def test_a_sixth_sms_within_ten_minutes_is_refused_without_calling_the_provider(admin_user):
    for _ in range(5):
        send_new_code(admin_user)

    with pytest.raises(otp.SmsLimitReached) as refusal:
        send_new_code(admin_user, now=later(60))

    assert len(sms.outbox) == 5
    assert refusal.value.message == (
        "Vous avez demandé trop de codes par SMS. Réessayez dans 9 minutes."
    )


def test_the_ten_minute_budget_is_free_again_in_the_next_window(admin_user):
    for _ in range(5):
        send_new_code(admin_user)

    send_new_code(admin_user, now=later(600))

    assert len(sms.outbox) == 6


def test_at_most_twenty_sms_a_day(admin_user):
    for n in range(20):
        send_new_code(admin_user, now=later(600 * (n // 5)))

    with pytest.raises(otp.SmsLimitReached) as refusal:
        send_new_code(admin_user, now=later(3000))

    assert len(sms.outbox) == 20
    # NOW is 10:00 UTC: the day's budget comes back at midnight UTC, 13 h 10 min later
    assert refusal.value.message.endswith("Réessayez dans 14 heures.")


def test_the_budget_is_per_administrator(admin_user):
    other = UserFactory.create(mobile="+33698765432")
    for _ in range(5):
        send_new_code(admin_user)

    send_new_code(other)

    assert sms.outbox[-1].to == "+33698765432"


def test_a_send_the_provider_refused_is_not_counted(admin_user, settings):
    settings.SMS_BACKEND = "tests.otp.factories.FailingSmsBackend"
    for _ in range(6):
        with pytest.raises(otp.SmsDeliveryFailed):
            send_new_code(admin_user)
    settings.SMS_BACKEND = "locmem"

    for _ in range(5):
        send_new_code(admin_user)

    assert len(sms.outbox) == 5


def test_resends_count_against_the_budget(admin_user):
    challenge = send_new_code(admin_user)
    otp.challenge_send(challenge=challenge, signer=admin_user, now=later(31), reason="un test")
    otp.challenge_send(challenge=challenge, signer=admin_user, now=later(62), reason="un test")
    send_new_code(admin_user, now=later(70))
    send_new_code(admin_user, now=later(80))

    with pytest.raises(otp.SmsLimitReached):
        send_new_code(admin_user, now=later(90))

    assert len(sms.outbox) == 5


def test_over_the_limit_the_sign_page_says_when_to_retry_and_no_challenge_is_made(
    admin, admin_client
):
    invitation = create(admin)
    for _ in range(5):
        ratelimit.hit(f"sms:user:{admin.user.pk}", limit=5, window_seconds=600)

    response = admin_client.post(
        reverse("invitations:send_code", args=[admin.company_id, invitation.pk])
    )

    assert response.status_code == 200
    assert "Vous avez demandé trop de codes par SMS. Réessayez dans" in response.text
    assert sms.outbox == []
    invitation.refresh_from_db()
    assert invitation.challenge is None


# --- 20 wrong codes in a row lock signing -------------------------------------------------------


def type_wrong_codes(invitation, admin, count: int, *, now=NOW) -> list[str]:
    """`count` wrong codes, asking for a new code each time a challenge dies (5 per challenge)."""
    messages = []
    for n in range(count):
        if n % 5 == 0:
            request_code(invitation, admin, now=now)
        with pytest.raises(otp.SignatureError) as refusal:
            sign(invitation, admin, code=wrong_code(last_code()), now=now)
        messages.append(refusal.value.message)
    return messages


def test_twenty_wrong_codes_across_challenges_lock_signing(admin):
    invitation = create(admin)

    messages = type_wrong_codes(invitation, admin, 20)

    assert not any(SUPPORT in message for message in messages[:19])
    assert SUPPORT in messages[19]
    user = User.objects.get(pk=admin.user.pk)
    assert user.signing_locked_at == NOW
    assert user.consecutive_wrong_codes == 20
    assert SignatureChallenge.objects.filter(signer=user).count() == 4


def test_the_lock_writes_an_audit_event(admin):
    invitation = create(admin)

    type_wrong_codes(invitation, admin, 20)

    event = AuditEvent.objects.get(action=Action.SIGNING_LOCKED, actor=admin.user)
    assert event.target_id == str(admin.user.pk)
    assert event.data == {"consecutive_wrong_codes": 20}


def test_the_lock_emails_the_administrator_to_contact_support(
    admin, eager_tasks, django_capture_on_commit_callbacks, settings
):
    invitation = create(admin)

    with django_capture_on_commit_callbacks(execute=True):
        type_wrong_codes(invitation, admin, 20)

    [message] = mail.outbox
    assert message.to == [admin.user.email]
    assert message.subject == (
        f"{settings.BANK_NAME} · Mes équipes : votre signature par SMS est bloquée"
    )
    assert "contactez le support de la banque" in str(message.body)
    html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    assert "contactez le support de la banque" in str(html)


def test_while_locked_no_code_is_sent(admin):
    invitation = create(admin)
    type_wrong_codes(invitation, admin, 20)
    sms.outbox.clear()
    other = create(admin, email="paul@partenaire.example")

    with pytest.raises(otp.SigningLocked) as refusal:
        request_code(other, admin, now=later(3600))

    assert SUPPORT in refusal.value.message
    assert sms.outbox == []
    other.refresh_from_db()
    assert other.challenge is None


def test_while_locked_even_the_right_code_signs_nothing(admin):
    invitation = create(admin)
    request_code(invitation, admin)
    User.objects.filter(pk=admin.user.pk).update(signing_locked_at=NOW)

    with pytest.raises(otp.SigningLocked):
        sign(invitation, admin)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE


def test_the_sign_page_names_support_while_locked(admin, admin_client):
    invitation = create(admin)
    User.objects.filter(pk=admin.user.pk).update(signing_locked_at=NOW)

    response = admin_client.post(
        reverse("invitations:send_code", args=[admin.company_id, invitation.pk])
    )

    assert "la signature est bloquée pour votre compte" in response.text
    assert SUPPORT in response.text


def test_a_right_code_resets_the_streak(admin):
    invitation = create(admin)
    type_wrong_codes(invitation, admin, 19)

    sign(invitation, admin)

    user = User.objects.get(pk=admin.user.pk)
    assert user.consecutive_wrong_codes == 0
    assert user.signing_locked_at is None


def test_after_a_right_code_twenty_more_are_needed_to_lock(admin):
    type_wrong_codes(create(admin), admin, 15)
    signed(admin, email="paul@partenaire.example")

    type_wrong_codes(create(admin, email="zoe@partenaire.example"), admin, 15, now=later(600))

    assert User.objects.get(pk=admin.user.pk).signing_locked_at is None


@pytest.fixture
def support() -> Client:
    staff = UserFactory.create(email="support@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def second_agent() -> Client:
    staff = UserFactory.create(email="support2@banque.example", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    return client


def unlock_in_admin(support: Client, user, second_agent: Client):
    """One agent proposes the unlock (with a reason), a second one approves it."""
    support.post(
        reverse("admin:accounts_user_changelist"),
        {
            "action": "propose_unlock",
            "_selected_action": [user.pk],
            "apply": "1",
            "reason": "identité vérifiée au téléphone par le support",
        },
    )
    proposal = Proposal.objects.get(subject_id=str(user.pk), status=ProposalStatus.PROPOSED)
    return second_agent.post(
        reverse("admin:backoffice_proposal_approve", args=[proposal.pk]), follow=True
    )


def test_support_unlocks_signing_in_the_admin(admin, support, second_agent):
    invitation = create(admin)
    type_wrong_codes(invitation, admin, 20)

    response = unlock_in_admin(support, admin.user, second_agent)

    assert "Proposition approuvée" in response.text
    user = User.objects.get(pk=admin.user.pk)
    assert user.signing_locked_at is None
    assert user.consecutive_wrong_codes == 0
    event = AuditEvent.objects.get(action=Action.SIGNING_UNLOCKED, target_id=str(user.pk))
    assert event.actor_email == "support2@banque.example"  # the approving agent applies it


def test_once_unlocked_the_administrator_signs_again(admin, support, second_agent):
    invitation = create(admin)
    type_wrong_codes(invitation, admin, 20)
    unlock_in_admin(support, admin.user, second_agent)

    request_code(invitation, admin, now=later(600))
    sign(invitation, admin, now=later(600))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED


def test_support_finds_locked_administrators_in_the_user_list(admin, support):
    User.objects.filter(pk=admin.user.pk).update(signing_locked_at=NOW)
    UserFactory.create(email="pas-bloque@entreprise.example")

    response = support.get(reverse("admin:accounts_user_changelist"), {"signature": "locked"})

    assert admin.user.email in response.text
    assert "pas-bloque@entreprise.example" not in response.text


def test_support_sees_the_lock_on_the_user_page(admin, support):
    User.objects.filter(pk=admin.user.pk).update(signing_locked_at=NOW)

    response = support.get(reverse("admin:accounts_user_change", args=[admin.user.pk]))

    assert "Signature par SMS" in response.text
    assert "Proposer de débloquer la signature" in response.text


def test_wrong_codes_are_counted_while_redis_is_down(admin, redis_down):
    invitation = create(admin)
    with pytest.MonkeyPatch.context() as patch:
        # the code was sent before Redis went down
        patch.setattr("otp.limits.sms_budget_take", lambda **kw: ratelimit.Decision(True))
        patch.setattr("otp.services.signing_check", lambda **kw: None)
        request_code(invitation, admin)

    with pytest.raises(otp.SignatureError):
        sign(invitation, admin, code=wrong_code(last_code()))

    assert User.objects.get(pk=admin.user.pk).consecutive_wrong_codes == 1


# --- Login throttle -----------------------------------------------------------------------------


def test_an_unknown_email_is_throttled_exactly_like_a_known_one(client):
    known = UserFactory.create(email="claire@entreprise.example")
    for _ in range(5):
        log_in(client, known.email, ip="198.51.100.1")
        log_in(client, "personne@inconnue.example", ip="198.51.100.2")

    known_refused = log_in(client, known.email, PASSWORD, ip="198.51.100.1")
    unknown_refused = log_in(client, "personne@inconnue.example", PASSWORD, ip="198.51.100.2")

    assert known_refused.status_code == unknown_refused.status_code == 200
    assert "Trop de tentatives. Réessayez dans 1 minute." in known_refused.text
    known_page = without_csrf_tokens(known_refused.text).replace(known.email, "<email>")
    unknown_page = without_csrf_tokens(unknown_refused.text).replace(
        "personne@inconnue.example", "<email>"
    )
    assert known_page == unknown_page


def test_a_throttled_account_is_refused_even_with_the_right_password(client):
    user = UserFactory.create()
    for _ in range(5):
        log_in(client, user.email)

    response = log_in(client, user.email, PASSWORD)

    assert "Trop de tentatives." in response.text
    assert "_auth_user_id" not in client.session


def test_four_failures_cost_nothing(client):
    user = UserFactory.create()
    for _ in range(4):
        log_in(client, user.email)

    response = log_in(client, user.email, PASSWORD)

    assert response.status_code == 302


def test_the_throttle_follows_the_account_from_any_address(client):
    user = UserFactory.create()
    for n in range(5):
        log_in(client, user.email, ip=f"198.51.100.{n + 10}")

    response = log_in(client, user.email, PASSWORD, ip="203.0.113.99")

    assert "Trop de tentatives." in response.text


def test_each_failure_past_the_fifth_doubles_the_wait_up_to_a_cap():
    email = "cible@entreprise.example"
    waits = []
    for _ in range(12):
        login_throttle.failure_record(email=email, ip_address=None)
        waits.append(login_throttle.wait_seconds(email=email, ip_address=None))

    assert waits[:4] == [0, 0, 0, 0]
    assert [round(w / 60) for w in waits[4:]] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_successful_login_ends_the_accounts_streak(client):
    user = UserFactory.create()
    for _ in range(4):
        log_in(client, user.email)
    log_in(client, user.email, PASSWORD)
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        log_in(client, user.email)

    response = log_in(client, user.email, PASSWORD)

    assert response.status_code == 302


def test_one_address_trying_many_emails_is_throttled(client):
    for n in range(20):
        log_in(client, f"essai{n}@inconnue.example", ip="192.0.2.50")
    user = UserFactory.create()

    response = log_in(client, user.email, PASSWORD, ip="192.0.2.50")

    assert "Trop de tentatives." in response.text


def test_the_invitation_password_step_shares_the_login_throttle(admin, client):
    lea = UserFactory.create(email="lea.martin@partenaire.example")
    token = dispatch(signed(admin), now=timezone.now())
    for _ in range(5):
        log_in(client, lea.email)

    response = client.post(
        reverse("invitations:accept", args=[token]), {"password": PASSWORD}, REMOTE_ADDR="10.1.1.1"
    )

    assert "Trop de tentatives. Réessayez dans" in response.text
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_on_the_invitation_page_throttle_it(admin, client):
    UserFactory.create(email="lea.martin@partenaire.example")
    token = dispatch(signed(admin), now=timezone.now())
    url = reverse("invitations:accept", args=[token])
    for _ in range(5):
        client.post(url, {"password": WRONG_PASSWORD})

    response = client.post(url, {"password": PASSWORD})

    assert "Trop de tentatives. Réessayez dans 1 minute." in response.text
    assert "_auth_user_id" not in client.session


def test_login_works_while_redis_is_down_and_says_so_in_the_log(client, redis_down, caplog):
    user = UserFactory.create()
    caplog.set_level(logging.WARNING, logger="accounts.login_throttle")

    response = log_in(client, user.email, PASSWORD)

    assert response.status_code == 302
    assert "Redis unavailable" in caplog.text


def test_a_wrong_password_still_gets_the_usual_message_while_redis_is_down(client, redis_down):
    user = UserFactory.create()

    response = log_in(client, user.email)

    assert "Adresse e-mail ou mot de passe incorrect." in response.text


# --- Invitations per company per day --------------------------------------------------------


def test_invitations_stop_at_the_daily_ceiling_of_the_company(admin, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 3
    for n in range(3):
        create(admin, email=f"invite{n}@partenaire.example")

    with pytest.raises(InvitationRefused) as refusal:
        create(admin, email="invite3@partenaire.example")

    assert refusal.value.message.startswith(
        "Votre entreprise a atteint le nombre maximal d’invitations pour aujourd’hui (3)."
    )
    assert "Réessayez dans 14 heures." in refusal.value.message


def test_the_ceiling_counts_only_invitations_made(admin, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 2
    create(admin, email="invite@partenaire.example")
    for _ in range(3):
        with pytest.raises(InvitationRefused):
            create(admin, email="invite@partenaire.example")  # already invited

    create(admin, email="autre@partenaire.example")


def test_the_ceiling_is_per_company(admin, other_admin, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 1
    create(admin)

    create(other_admin)


def test_the_default_ceiling_is_generous(settings):
    assert settings.INVITATIONS_PER_COMPANY_PER_DAY == 200


def test_the_invite_form_shows_the_ceiling(admin, admin_client, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 0

    response = admin_client.post(
        reverse("invitations:create", args=[admin.company_id]),
        {
            "email": "lea@partenaire.example",
            "first_name": "Léa",
            "last_name": "Martin",
            "rights": ["documents"],
        },
    )

    assert "nombre maximal d’invitations pour aujourd’hui" in response.text


def resend(admin, invitation, *, now=NOW):
    return services.invitation_resend(
        invitation_id=invitation.pk,
        company=admin.company,
        actor=admin.user,
        ip_address=None,
        now=now,
    )


def test_resends_count_against_the_daily_ceiling_of_the_company(admin, settings):
    settings.INVITATIONS_PER_COMPANY_PER_DAY = 3
    invitation = signed(admin)
    dispatch(invitation)
    resend(admin, invitation)
    dispatch(invitation)
    resend(admin, invitation)
    dispatch(invitation)
    emails = len(mail.outbox)

    with pytest.raises(InvitationRefused) as refusal:
        resend(admin, invitation)

    assert refusal.value.message.startswith(
        "Votre entreprise a atteint le nombre maximal d’invitations pour aujourd’hui (3)."
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert len(mail.outbox) == emails
    with pytest.raises(InvitationRefused):
        create(admin, email="autre@partenaire.example")


def test_one_invitation_is_resent_at_most_five_times_a_day(admin, settings):
    invitation = signed(admin)
    dispatch(invitation)
    for _ in range(5):
        resend(admin, invitation)
        dispatch(invitation)

    with pytest.raises(InvitationRefused) as refusal:
        resend(admin, invitation)

    assert refusal.value.message.startswith(
        "Cette invitation a déjà été renvoyée 5 fois aujourd’hui : vérifiez l’adresse e-mail "
        "avec la personne."
    )
    assert "Réessayez dans" in refusal.value.message
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    # the refused resend took nothing from the company's ceiling: 1 invitation + 5 resends
    assert (
        ratelimit.peek(
            f"invitations:company:{admin.company.pk}", limit=200, window_seconds=86400, now=NOW
        ).count
        == 6
    )


def test_the_resend_limit_is_per_invitation_and_starts_again_the_next_day(admin):
    first, second = signed(admin), signed(admin, email="autre@partenaire.example")
    for invitation in (first, second):
        dispatch(invitation)
    for _ in range(5):
        resend(admin, first)
        dispatch(first)

    resend(admin, second)
    dispatch(second)
    resend(admin, first, now=later(24 * 3600))


def test_the_refused_resend_is_shown_in_french_on_the_team_page(admin, admin_client, settings):
    settings.INVITATION_RESENDS_PER_DAY = 1
    invitation = signed(admin)
    dispatch(invitation, now=timezone.now())
    url = reverse("invitations:resend", args=[admin.company_id, invitation.pk])
    admin_client.post(url)
    dispatch(invitation, now=timezone.now())

    response = admin_client.post(url, follow=True)

    assert "Cette invitation a déjà été renvoyée 1 fois aujourd’hui" in response.text
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


# --- Redis down -----------------------------------------------------------------------------


def test_asking_for_a_code_while_redis_is_down_says_to_retry_and_saves_nothing(
    admin, admin_client, redis_down
):
    invitation = create(admin)

    response = admin_client.post(
        reverse("invitations:send_code", args=[admin.company_id, invitation.pk])
    )

    assert response.status_code == 200
    assert (
        "Le service d’envoi de codes est momentanément indisponible. Réessayez dans un instant."
        in response.text
    )
    assert sms.outbox == []
    assert not SignatureChallenge.objects.filter(signer=admin.user).exists()
    invitation.refresh_from_db()
    assert invitation.challenge is None


def test_a_code_is_not_sent_when_redis_fails_after_the_challenge_was_made(admin, redis_down):
    challenge = otp.challenge_start(signer=admin.user, purpose="test", payload={"n": 1}, now=NOW)

    with pytest.raises(otp.SmsServiceUnavailable):
        otp.challenge_send(challenge=challenge, signer=admin.user, now=NOW, reason="un test")

    challenge.refresh_from_db()
    assert challenge.send_count == 0
    assert sms.outbox == []


def test_pages_that_do_not_need_redis_work_while_it_is_down(admin, admin_client, redis_down):
    invitation = create(admin)

    picker = admin_client.get(reverse("portal:company_picker"))
    team = admin_client.get(reverse("teams:team", args=[admin.company_id]))
    sign_page = admin_client.get(
        reverse("invitations:sign", args=[admin.company_id, invitation.pk])
    )
    invite = admin_client.post(
        reverse("invitations:create", args=[admin.company_id]),
        {
            "email": "paul@partenaire.example",
            "first_name": "Paul",
            "last_name": "Morel",
            "rights": ["documents"],
        },
    )

    assert picker.status_code == team.status_code == sign_page.status_code == 200
    assert invite.status_code == 302


def test_the_rate_limit_module_raises_its_own_error_when_redis_is_down(redis_down):
    with pytest.raises(ratelimit.RateLimitUnavailable):
        ratelimit.hit("anything", limit=1, window_seconds=60)


# --- Simultaneous requests: the counters are exact ------------------------------------------


def all_at_once(count: int, action: Callable[[int], Any]) -> list[BaseException | None]:
    """Run action(n) in `count` threads released together; what each raised (None: returned)."""
    barrier = threading.Barrier(count)
    raised: list[BaseException | None] = [None] * count

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            action(n)
        except BaseException as error:
            raised[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return raised


@pytest.mark.django_db(transaction=True)
def test_ten_simultaneous_sends_give_exactly_five_sms(admin_user):
    challenges = [
        otp.challenge_start(signer=admin_user, purpose="test", payload={"n": n}, now=NOW)
        for n in range(10)
    ]

    raised = all_at_once(
        10,
        lambda n: otp.challenge_send(
            challenge=challenges[n], signer=admin_user, now=NOW, reason="un test"
        ),
    )

    assert len(sms.outbox) == 5
    assert sorted(type(error).__name__ for error in raised if error) == ["SmsLimitReached"] * 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_wrong_codes_on_several_challenges_are_all_counted_and_lock_once(
    admin_user, settings, django_capture_on_commit_callbacks
):
    settings.SMS_PER_ADMIN_PER_10_MINUTES = settings.SMS_PER_ADMIN_PER_DAY = 100
    challenges = [
        otp.challenge_send(
            challenge=otp.challenge_start(
                signer=admin_user, purpose="test", payload={"n": n}, now=NOW
            ),
            signer=admin_user,
            now=NOW,
            reason="un test",
        )
        for n in range(12)
    ]
    codes = [wrong_code(CODE.findall(sent.body)[0]) for sent in sms.outbox]

    def type_two_wrong_codes(n: int) -> None:
        for _ in range(2):
            with transaction.atomic():
                otp.challenge_verify(
                    challenge_id=challenges[n].pk,
                    signer=admin_user,
                    payload={"n": n},
                    code=codes[n],
                    now=NOW,
                )

    raised = all_at_once(12, type_two_wrong_codes)

    user = User.objects.get(pk=admin_user.pk)
    assert user.signing_locked_at == NOW
    # up to 24 tried at once: the 20th locks, every later one is refused without being checked
    assert user.consecutive_wrong_codes == 20
    assert {type(error).__name__ for error in raised if error} == {"SigningLocked"}
    assert AuditEvent.objects.filter(action=Action.SIGNING_LOCKED, actor=user).count() == 1


def test_a_locked_administrator_opening_the_sign_page_is_told_to_call_support(admin, admin_client):
    invitation = create(admin)
    User.objects.filter(pk=admin.user.pk).update(signing_locked_at=NOW)

    response = admin_client.get(reverse("invitations:sign", args=[admin.company_id, invitation.pk]))

    assert response.text.count("la signature est bloquée pour votre compte") == 1
    assert "Recevoir le code" not in response.text


# --- Password reset -----------------------------------------------------------------------------

RESET_URL = reverse("accounts:password_reset")


def test_the_reset_page_only_writes_one_message_for_a_known_and_an_unknown_email(client):
    user = UserFactory.create()

    known = client.post(RESET_URL, {"email": user.email})
    unknown = client.post(RESET_URL, {"email": "personne@inconnue.example"})

    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    # the account is looked up when the email leaves: the request does the same work either way
    assert [(m.to, m.renderer, m.text) for m in outbox_pending()] == [
        (user.email, "password_reset", ""),
        ("personne@inconnue.example", "password_reset", ""),
    ]
    assert mail.outbox == []


def test_a_fourth_reset_within_the_hour_is_dropped_with_the_same_page(client):
    user = UserFactory.create()
    answers = [client.post(RESET_URL, {"email": user.email}, follow=True) for _ in range(4)]

    assert deliver() == 3
    assert len(mail.outbox) == 3
    assert without_csrf_tokens(answers[3].text) == without_csrf_tokens(answers[0].text)


def test_a_reset_asked_while_the_broker_is_down_is_sent_once_swept(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    user = UserFactory.create()

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(message_deliver, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RESET_URL, {"email": user.email})

    assert response.status_code == 302
    assert mail.outbox == []  # nothing ran in the request
    assert deliver() == 1  # the swept task, once the broker is back
    assert [message.to for message in mail.outbox] == [[user.email]]


def test_the_reset_works_while_redis_is_down(client, redis_down):
    user = UserFactory.create()

    response = client.post(RESET_URL, {"email": user.email})

    assert response.status_code == 302
    assert deliver() == 1
    assert [message.to for message in mail.outbox] == [[user.email]]


# --- The mobile change shares the limits --------------------------------------------------------

MOBILE_CHANGE_URL = reverse("accounts:mobile_change")


def test_the_mobile_change_password_shares_the_login_throttle(admin_user, client_for):
    client = client_for(admin_user)
    for _ in range(5):
        client.post(MOBILE_CHANGE_URL, {"password": WRONG_PASSWORD, "mobile": "06 98 76 54 32"})

    response = client.post(MOBILE_CHANGE_URL, {"password": PASSWORD, "mobile": "06 98 76 54 32"})

    assert "Trop de tentatives. Réessayez dans 1 minute." in response.text
    assert sms.outbox == []


def test_asking_for_a_mobile_change_code_while_redis_is_down_saves_nothing(
    admin_user, client_for, redis_down
):
    client = client_for(admin_user)

    response = client.post(MOBILE_CHANGE_URL, {"password": PASSWORD, "mobile": "06 98 76 54 32"})

    assert "Le service d’envoi de codes est momentanément indisponible." in response.text
    assert sms.outbox == []
    assert not SignatureChallenge.objects.filter(signer=admin_user).exists()
