import datetime
import logging

import pytest
from django.db import connection
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from core import outbox, sms
from core.models import Message, MessageKind, MessageStatus
from otp import services
from otp.models import ChallengeStatus, SignatureChallenge
from otp.services import Outcome
from tests.factories import UserFactory
from tests.otp.factories import NOW, last_code, rows_containing, wrong_code

pytestmark = pytest.mark.django_db

PAYLOAD = {"purpose": "test", "company": 1, "email": "lea@example.com", "rights": ["documents"]}
OTHER_PAYLOAD = {**PAYLOAD, "rights": ["documents", "bank_details"]}


def later(seconds: float) -> datetime.datetime:
    return NOW + datetime.timedelta(seconds=seconds)


def start(signer, payload=PAYLOAD, now=NOW) -> SignatureChallenge:
    return services.challenge_start(signer=signer, purpose="test", payload=payload, now=now)


def send(challenge, signer, now=NOW) -> SignatureChallenge:
    return services.challenge_send(challenge=challenge, signer=signer, now=now, reason="un test")


def verify(challenge, signer, code, payload=PAYLOAD, now=NOW) -> services.Verification:
    return services.challenge_verify(
        challenge_id=challenge.pk, signer=signer, payload=payload, code=code, now=now
    )


@pytest.fixture
def signer(admin_user):
    return admin_user


@pytest.fixture
def sent(signer) -> SignatureChallenge:
    return send(start(signer), signer)


def test_the_code_has_six_digits_and_arrives_by_sms_to_the_signers_mobile(signer, sent):
    assert len(sms.outbox) == 1
    assert sms.outbox[0].to == str(signer.mobile)
    assert len(last_code()) == 6


def test_the_sms_names_what_the_code_is_for(sent):
    assert "un test" in sms.outbox[0].body


def test_a_right_code_signs(signer, sent):
    verification = verify(sent, signer, last_code())

    assert verification.outcome is Outcome.SIGNED
    sent.refresh_from_db()
    assert sent.status == ChallengeStatus.CONSUMED
    assert sent.consumed_at == NOW


def test_a_code_that_was_used_cannot_be_used_again(signer, sent):
    code = last_code()
    verify(sent, signer, code)

    with pytest.raises(services.ChallengeUsed):
        verify(sent, signer, code, now=later(10))


def test_a_code_is_refused_once_its_five_minutes_have_passed(signer, sent):
    with pytest.raises(services.ChallengeExpired):
        verify(sent, signer, last_code(), now=later(5 * 60))


def test_a_code_is_accepted_just_before_it_expires(signer, sent):
    assert verify(sent, signer, last_code(), now=later(5 * 60 - 1)).ok


def test_a_wrong_code_is_counted_and_says_how_many_attempts_remain(signer, sent):
    verification = verify(sent, signer, wrong_code(last_code()))

    assert verification.outcome is Outcome.WRONG_CODE
    assert verification.remaining_attempts == 4
    assert "4" in verification.message


def test_the_fifth_wrong_code_locks_the_challenge(signer, sent):
    bad = wrong_code(last_code())
    outcomes = [verify(sent, signer, bad).outcome for _ in range(5)]

    assert outcomes == [Outcome.WRONG_CODE] * 4 + [Outcome.LOCKED]
    sent.refresh_from_db()
    assert sent.status == ChallengeStatus.DEAD


def test_the_right_code_is_refused_after_five_wrong_codes(signer, sent):
    code = last_code()
    for _ in range(5):
        verify(sent, signer, wrong_code(code))

    assert verify(sent, signer, code).outcome is Outcome.LOCKED


def test_a_code_is_refused_when_the_content_changed_after_it_was_sent(signer, sent):
    assert verify(sent, signer, last_code(), payload=OTHER_PAYLOAD).outcome is (
        Outcome.CONTENT_CHANGED
    )


def test_a_changed_content_kills_the_challenge_even_for_the_original_content(signer, sent):
    code = last_code()
    verify(sent, signer, code, payload=OTHER_PAYLOAD)

    assert verify(sent, signer, code).outcome is Outcome.LOCKED
    sent.refresh_from_db()
    assert sent.status == ChallengeStatus.DEAD


def test_a_code_cannot_be_checked_before_it_was_sent(signer):
    challenge = start(signer)

    with pytest.raises(services.CodeNotSent):
        verify(challenge, signer, "123456")


def test_a_resend_within_thirty_seconds_is_refused(signer, sent):
    with pytest.raises(services.ResendTooSoon) as refusal:
        send(sent, signer, now=later(29))

    assert refusal.value.wait_seconds == 2
    assert len(sms.outbox) == 1


def test_a_resend_after_thirty_seconds_sends_the_same_code(signer, sent):
    first = last_code()

    send(sent, signer, now=later(30))

    assert len(sms.outbox) == 2
    assert last_code() == first


def test_a_resend_keeps_the_failure_count(signer, sent):
    verify(sent, signer, wrong_code(last_code()))
    verify(sent, signer, wrong_code(last_code()))

    challenge = send(sent, signer, now=later(30))

    assert challenge.send_count == 2
    assert challenge.failed_attempts == 2


def test_a_code_is_sent_at_most_three_times(signer, sent):
    send(sent, signer, now=later(30))
    send(sent, signer, now=later(60))

    with pytest.raises(services.TooManySends):
        send(sent, signer, now=later(90))
    assert len(sms.outbox) == 3


def test_a_signer_without_a_mobile_number_cannot_start_a_signature():
    signer = UserFactory(mobile="")

    with pytest.raises(services.NoMobileNumber):
        start(signer)


def test_a_code_is_not_sent_once_the_signers_mobile_was_removed(signer):
    challenge = start(signer)
    signer.mobile = ""
    signer.save()

    with pytest.raises(services.NoMobileNumber):
        send(challenge, signer)


def test_a_provider_failure_is_reported_and_not_counted_as_a_send(signer, settings):
    settings.SMS_BACKEND = "tests.otp.factories.FailingSmsBackend"
    challenge = start(signer)

    with pytest.raises(services.SmsDeliveryFailed):
        send(challenge, signer)

    challenge.refresh_from_db()
    assert challenge.send_count == 0
    assert challenge.last_sent_at is None


def test_a_sent_code_is_kept_in_the_outbox_without_the_code(signer, sent):
    [message] = Message.objects.filter(kind=MessageKind.SMS, to=str(signer.mobile))

    assert message.status == MessageStatus.SENT
    assert message.about == sent
    assert outbox.CODE_MASK in message.text
    assert "un test" in message.text
    assert rows_containing(last_code()) == []


def test_a_refused_code_is_kept_in_the_outbox_as_failed(signer, settings):
    settings.SMS_BACKEND = "tests.otp.factories.FailingSmsBackend"

    with pytest.raises(services.SmsDeliveryFailed):
        send(start(signer), signer)

    [message] = Message.objects.filter(kind=MessageKind.SMS, to=str(signer.mobile))
    assert message.status == MessageStatus.FAILED
    assert message.last_error == "SmsNotSent"


class WatchingSmsBackend:
    """Records whether the caller held a transaction (and so row locks) while the SMS left."""

    in_transaction: list[bool] = []

    def send(self, *, to: str, body: str) -> None:
        type(self).in_transaction.append(connection.in_atomic_block)
        sms.outbox.append(sms.Sms(to=to, body=body))


@pytest.mark.django_db(transaction=True)
def test_no_row_is_locked_while_the_sms_provider_answers(signer, settings):
    settings.SMS_BACKEND = "tests.otp.test_services.WatchingSmsBackend"
    WatchingSmsBackend.in_transaction = []

    send(start(signer), signer)

    assert WatchingSmsBackend.in_transaction == [False]


def test_a_signer_cannot_use_another_signers_challenge(signer, sent):
    other = UserFactory(mobile="+33698765432")

    with pytest.raises(SignatureChallenge.DoesNotExist):
        verify(sent, other, last_code())


def test_the_code_is_never_stored_in_the_database(signer, sent):
    code = last_code()
    verify(sent, signer, wrong_code(code))
    verify(sent, signer, code)

    assert rows_containing(code) == []
    assert SignatureChallenge.objects.filter(pk=sent.pk).exists()


def test_the_code_is_never_in_the_audit_log(signer, sent):
    code = last_code()

    assert not any(code in str(event.data) for event in AuditEvent.objects.all())


def test_the_code_is_never_logged(signer, caplog):
    caplog.set_level(logging.DEBUG)
    challenge = send(start(signer), signer)
    code = last_code()
    verify(challenge, signer, wrong_code(code))
    verify(challenge, signer, code)

    assert code not in caplog.text


def test_a_french_mobile_is_masked_but_for_its_first_and_last_digits():
    assert services.mask_phone("+33612345642") == "+33 6 •• •• •• 42"


def test_the_challenge_keeps_the_masked_mobile(sent):
    assert sent.phone_masked == "+33 6 •• •• •• 42"


def test_the_digest_does_not_depend_on_key_order():
    reordered = dict(reversed(list(PAYLOAD.items())))

    assert services.payload_digest(reordered) == services.payload_digest(PAYLOAD)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4),
    max_leaves=8,
)
payloads = st.dictionaries(st.text(max_size=10), json_values, min_size=1, max_size=5)


@pytest.fixture
def sms_budget_for_every_example(settings):
    """Every example sends one more SMS to the same signer: the per-admin SMS budget is not tested
    here. Set once for the test (each assignment to `settings` stacks an override until teardown:
    one per example overflowed the stack under the fuzz profile)."""
    budget = 2 * hypothesis_settings.default.max_examples
    settings.SMS_PER_ADMIN_PER_10_MINUTES = settings.SMS_PER_ADMIN_PER_DAY = budget


@hypothesis_settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(signed=payloads, presented=payloads)
def test_a_code_sent_for_one_content_is_refused_for_any_other(
    signer, sms_budget_for_every_example, signed, presented
):
    assume(signed != presented)
    challenge = send(start(signer, payload=signed), signer)

    verification = verify(challenge, signer, last_code(), payload=presented)

    assert verification.outcome is Outcome.CONTENT_CHANGED


def test_a_pending_challenge_of_the_same_signer_and_content_is_live(signer, sent):
    assert services.live_challenge(sent, signer=signer, payload=PAYLOAD, now=NOW) == sent


def test_a_challenge_that_used_all_its_sends_is_still_live(signer, sent):
    sent.send_count = 3
    sent.save()

    assert services.live_challenge(sent, signer=signer, payload=PAYLOAD, now=NOW) == sent


def test_a_challenge_for_other_content_is_not_live(signer, sent):
    assert services.live_challenge(sent, signer=signer, payload=OTHER_PAYLOAD, now=NOW) is None


def test_another_signers_challenge_is_not_live(sent):
    other = UserFactory.create(mobile="+33698765432")

    assert services.live_challenge(sent, signer=other, payload=PAYLOAD, now=NOW) is None


def test_an_expired_challenge_is_not_live(signer, sent):
    assert services.live_challenge(sent, signer=signer, payload=PAYLOAD, now=later(300)) is None


def test_a_dead_challenge_is_not_live(signer, sent):
    sent.status = ChallengeStatus.DEAD
    sent.save()

    assert services.live_challenge(sent, signer=signer, payload=PAYLOAD, now=NOW) is None


def test_no_challenge_is_not_live(signer):
    assert services.live_challenge(None, signer=signer, payload=PAYLOAD, now=NOW) is None
