"""invitation_sign and invitation_batch_sign, the one call each signature view makes: a refused
code, an expired challenge or a changed content signs nothing, and a failure halfway saves nothing."""

import datetime

import pytest
from django.conf import settings

from audit.models import Action, AuditEvent
from invitations.models import Invitation, InvitationBatch, InvitationStatus
from invitations.services import signing
from otp import services as otp
from otp.models import AccessAuthorisation, ChallengeStatus
from tests.invitations.batches import create_batch, request_batch_code, sign_batch
from tests.invitations.factories import create, request_code, sign
from tests.otp.factories import NOW, last_code, wrong_code

pytestmark = pytest.mark.django_db

ANA, BOB = "ana@partenaire.example", "bob@partenaire.example"


def code_lifetime() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OTP_CODE_LIFETIME_SECONDS)


def signed_events(company) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(company=company, action=Action.SIGNED))


def assert_nothing_signed(invitation: Invitation) -> None:
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.AWAITING_SIGNATURE
    assert invitation.signed_at is None
    assert invitation.authorisation is None
    assert not AccessAuthorisation.objects.filter(company=invitation.company).exists()
    assert signed_events(invitation.company) == []


def assert_batch_unsigned(batch: InvitationBatch) -> None:
    batch.refresh_from_db()
    assert batch.signed_at is None
    members = Invitation.objects.filter(batch=batch)
    assert {m.status for m in members} == {InvitationStatus.AWAITING_SIGNATURE}
    assert not members.filter(authorisation__isnull=False).exists()
    assert not AccessAuthorisation.objects.filter(company=batch.company).exists()
    assert signed_events(batch.company) == []


# One invitation


def test_a_wrong_code_signs_nothing_queues_nothing_and_keeps_the_failed_attempt(
    admin, django_capture_on_commit_callbacks
):
    invitation = create(admin)
    request_code(invitation, admin)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(otp.SignatureError, match="Code incorrect"),
    ):
        sign(invitation, admin, code=wrong_code(last_code()))

    assert_nothing_signed(invitation)
    assert callbacks == []
    assert invitation.challenge.failed_attempts == 1
    assert invitation.challenge.status == ChallengeStatus.PENDING


def test_the_right_code_typed_once_its_lifetime_is_over_is_refused(admin):
    invitation = create(admin)
    request_code(invitation, admin)

    with pytest.raises(otp.ChallengeExpired):
        sign(invitation, admin, now=NOW + code_lifetime())

    assert_nothing_signed(invitation)


def test_the_right_code_is_still_accepted_just_before_its_lifetime_ends(admin):
    invitation = create(admin)
    request_code(invitation, admin)

    sign(invitation, admin, now=NOW + code_lifetime() - datetime.timedelta(seconds=1))

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED


def test_a_code_is_refused_when_the_invitees_name_changed_after_it_was_sent(admin):
    invitation = create(admin)
    request_code(invitation, admin)
    Invitation.objects.filter(pk=invitation.pk).update(first_name="Louise")

    with pytest.raises(otp.SignatureError, match="contenu à signer a changé"):
        sign(invitation, admin)

    assert_nothing_signed(invitation)
    assert invitation.challenge.status == ChallengeStatus.DEAD


def test_a_failure_after_the_authorisation_was_written_saves_nothing_and_the_code_still_signs(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    invitation = create(admin)
    request_code(invitation, admin)
    code = last_code()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(signing, "audit_record_many", fail)
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
            sign(invitation, admin, code=code)

    assert_nothing_signed(invitation)
    assert callbacks == []
    assert invitation.challenge.status == ChallengeStatus.PENDING
    sign(invitation, admin, code=code)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SIGNED


# A batch


def test_a_wrong_code_signs_no_member_of_the_batch_and_queues_nothing(
    admin, django_capture_on_commit_callbacks
):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(otp.SignatureError, match="Code incorrect"),
    ):
        sign_batch(batch, admin, code=wrong_code(last_code()))

    assert_batch_unsigned(batch)
    assert callbacks == []


def test_the_batch_code_typed_once_its_lifetime_is_over_is_refused(admin):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)

    with pytest.raises(otp.ChallengeExpired):
        sign_batch(batch, admin, now=NOW + code_lifetime())

    assert_batch_unsigned(batch)


def test_a_batch_code_is_refused_when_a_members_rights_changed_after_it_was_sent(admin):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)
    Invitation.objects.filter(batch=batch, email=ANA).update(rights=["documents"])

    with pytest.raises(otp.SignatureError, match="contenu à signer a changé"):
        sign_batch(batch, admin)

    assert_batch_unsigned(batch)


def test_a_failure_after_the_authorisations_are_written_leaves_the_whole_batch_unsigned(
    admin, monkeypatch, django_capture_on_commit_callbacks
):
    batch = create_batch(admin, ANA, BOB)
    request_batch_code(batch, admin)
    written = []

    def fail_on_the_emails(invitations, *, now):
        written.extend(i.authorisation_id is not None for i in invitations)
        raise RuntimeError("database went away")

    monkeypatch.setattr(signing, "invitation_emails_queue", fail_on_the_emails)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        sign_batch(batch, admin)

    assert written == [True, True]
    assert_batch_unsigned(batch)
    assert callbacks == []
    assert batch.challenge.status == ChallengeStatus.PENDING
