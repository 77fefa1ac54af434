"""rights_change_sign, the one call the rights-change signature view makes: a refused code or an
expired challenge changes no right, and a failure halfway saves nothing."""

import datetime

import pytest
from django.conf import settings

from audit.models import Action, AuditEvent
from companies.models import Membership
from otp.models import AccessAuthorisation, ChallengeStatus
from otp.services import ChallengeExpired, SignatureError
from permissions.catalogue import Right
from teams.models import RightsChange, RightsChangeStatus
from teams.services import rights
from tests.otp.factories import NOW, last_code, wrong_code
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db


def rights_of(member: Membership) -> list[str]:
    return sorted(member.grants.values_list("right", flat=True))


def assert_nothing_applied(change: RightsChange, *, rights_before: list[str]) -> None:
    change.refresh_from_db()
    assert change.status == RightsChangeStatus.AWAITING_SIGNATURE
    assert change.applied_at is None
    assert change.authorisation is None
    assert rights_of(change.membership) == rights_before
    company = change.membership.company
    assert not AccessAuthorisation.objects.filter(company=company).exists()
    assert not AuditEvent.objects.filter(company=company, action=Action.RIGHTS_ADDED).exists()


def test_a_wrong_code_changes_no_right_and_queues_nothing(
    admin, collaborator_with, django_capture_on_commit_callbacks
):
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    request_code(admin, change)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(SignatureError, match="Code incorrect"),
    ):
        sign(admin, change, code=wrong_code(last_code()))

    assert_nothing_applied(change, rights_before=["documents"])
    assert callbacks == []
    assert change.challenge.failed_attempts == 1


def test_the_right_code_typed_once_its_lifetime_is_over_changes_no_right(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    request_code(admin, change)
    lifetime = datetime.timedelta(seconds=settings.OTP_CODE_LIFETIME_SECONDS)

    with pytest.raises(ChallengeExpired):
        sign(admin, change, now=NOW + lifetime)

    assert_nothing_applied(change, rights_before=["documents"])


def test_a_failure_after_the_rights_were_replaced_saves_nothing_and_the_code_still_signs(
    admin, collaborator_with, monkeypatch, django_capture_on_commit_callbacks
):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    change = request_change(admin, member, Right.DOCUMENTS, Right.BANK_DETAILS)
    request_code(admin, change)
    code = last_code()

    def fail(**kwargs):
        raise RuntimeError("database went away")

    with monkeypatch.context() as patch:
        patch.setattr(rights, "audit_record", fail)
        with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
            sign(admin, change, code=code)

    assert_nothing_applied(change, rights_before=["documents", "treasury"])
    assert callbacks == []
    assert change.challenge.status == ChallengeStatus.PENDING
    sign(admin, change, code=code)
    assert rights_of(member) == ["bank_details", "documents"]
