"""Drafting a review member by member, and signing it once: the code is bound to every member's
kept rights (with end dates) and the removals, which apply in the signature's transaction."""

import datetime

import pytest

from audit.models import Action, AuditEvent
from companies.models import Company, Membership
from companies.services import CompanyRefused
from otp.services import SignatureError
from permissions.catalogue import Right
from permissions.models import Grant
from reviews import services
from reviews.models import Decision, ReviewDecision, ReviewStatus, SignatureMethod
from tests.factories import GrantFactory, MembershipFactory
from tests.invitations.factories import IP, USER_AGENT
from tests.otp.factories import NOW, last_code, wrong_code
from tests.otp.passkeys import assertion, registered, signing_options
from tests.reviews.factories import decide, open_review, request_code, sign

pytestmark = pytest.mark.django_db


def rights_of(member: Membership) -> list[str]:
    return sorted(Grant.objects.filter(membership=member).values_list("right", flat=True))


def test_a_draft_decision_is_saved_only_for_a_member_changed(admin, collaborator_with):
    kept = collaborator_with(Right.DOCUMENTS)
    changed = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    review = open_review(admin)

    decide(admin, review, kept, Decision.KEEP)
    decide(admin, review, changed, Decision.REMOVE_RIGHTS, Right.TREASURY)

    decisions = ReviewDecision.objects.filter(review=review)
    assert [(d.membership_id, d.decision, d.removed_rights) for d in decisions] == [
        (changed.pk, Decision.REMOVE_RIGHTS, ["treasury"])
    ]


def test_choosing_keep_again_drops_the_draft_decision(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    review = open_review(admin)
    decide(admin, review, member, Decision.REMOVE_MEMBER)

    decide(admin, review, member, Decision.KEEP)

    assert not ReviewDecision.objects.filter(review=review).exists()


def test_an_administrator_cannot_mark_themselves_for_removal(admin):
    review = open_review(admin)

    with pytest.raises(CompanyRefused, match="vous retirer vous-même"):
        decide(admin, review, admin, Decision.REMOVE_MEMBER)


def test_a_review_cannot_remove_every_administrator(admin, company):
    other = MembershipFactory.create(company=company, role="admin")
    review = open_review(admin)
    decide(admin, review, other, Decision.REMOVE_MEMBER)

    with pytest.raises(CompanyRefused, match="au moins un administrateur actif"):
        decide(other, review, admin, Decision.REMOVE_MEMBER)


def test_rights_not_held_cannot_be_marked_for_removal(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    review = open_review(admin)

    with pytest.raises(CompanyRefused, match="ne détient pas"):
        decide(admin, review, member, Decision.REMOVE_RIGHTS, Right.TREASURY)


def test_the_signature_applies_every_removal_and_keeps_the_rest(admin, collaborator_with):
    stays = collaborator_with(Right.DOCUMENTS)
    loses_one = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    leaves = collaborator_with(Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, loses_one, Decision.REMOVE_RIGHTS, Right.TREASURY)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    request_code(admin, review)

    signed = sign(admin, review)

    assert signed.status == ReviewStatus.SIGNED
    assert rights_of(stays) == ["documents"]
    assert rights_of(loses_one) == ["documents"]
    assert not Membership.objects.filter(pk=leaves.pk).exists()
    assert [m["email"] for m in signed.removals] == [leaves.user.email]
    assert {m["membership"] for m in signed.members} == {admin.pk, stays.pk, loses_one.pk}
    actions = set(AuditEvent.objects.filter(company=admin.company).values_list("action", flat=True))
    assert {
        Action.ACCESS_REVIEW_STARTED,
        Action.ACCESS_REVIEW_SIGNED,
        Action.ACCESS_REVIEW_REMOVALS,
        Action.RIGHTS_REMOVED,
        Action.MEMBER_REMOVED,
    } <= actions


def test_the_signed_list_carries_each_kept_rights_end_date(admin, collaborator_with):
    member = collaborator_with()
    GrantFactory.create(membership=member, right=Right.TREASURY, ends_on=datetime.date(2025, 6, 30))
    review = open_review(admin)
    request_code(admin, review)

    signed = sign(admin, review)

    line = next(m for m in signed.members if m["membership"] == member.pk)
    assert line["rights"] == [["treasury", "2025-06-30"]]
    assert "jusqu’au 30/06/2025" in signed.statement


def test_the_signature_moves_the_next_due_date_one_period_later(admin, company):
    Company.objects.filter(pk=company.pk).update(access_review_months=6)
    admin.company.refresh_from_db()
    review = open_review(admin)
    request_code(admin, review)

    sign(admin, review)

    company.refresh_from_db()
    assert company.access_review_signed_on == datetime.date(2025, 3, 3)
    assert company.access_review_due_on == datetime.date(2025, 9, 3)


def test_a_member_whose_rights_changed_after_the_code_was_sent_makes_the_whole_review_refused(
    admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    leaves = collaborator_with(Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    request_code(admin, review)
    GrantFactory.create(membership=member, right=Right.TREASURY)

    with pytest.raises(SignatureError, match="contenu à signer a changé"):
        sign(admin, review)

    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert Membership.objects.filter(pk=leaves.pk).exists()


def test_an_end_date_changed_after_the_code_was_sent_makes_the_review_refused(
    admin, collaborator_with
):
    member = collaborator_with(Right.DOCUMENTS)
    review = open_review(admin)
    request_code(admin, review)
    Grant.objects.filter(membership=member).update(ends_on=datetime.date(2025, 12, 31))

    with pytest.raises(SignatureError):
        sign(admin, review)

    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN


def test_a_wrong_code_applies_no_removal(admin, collaborator_with):
    leaves = collaborator_with(Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    challenge = request_code(admin, review)

    with pytest.raises(SignatureError, match="Code incorrect"):
        sign(admin, review, code=wrong_code(last_code()))

    assert Membership.objects.filter(pk=leaves.pk).exists()
    challenge.refresh_from_db()
    assert challenge.failed_attempts == 1


def test_a_signed_review_cannot_be_signed_twice(admin):
    review = open_review(admin)
    request_code(admin, review)
    sign(admin, review)

    with pytest.raises(CompanyRefused, match="déjà signée"):
        sign(admin, review, code="000000", now=NOW + datetime.timedelta(minutes=1))


def test_an_administrator_with_a_passkey_signs_the_review_with_it(admin, collaborator_with):
    _, device = registered(admin.user)
    leaves = collaborator_with(Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    contents = services.review_contents(review=review, company=admin.company)
    challenge_id, options = signing_options(
        admin.user, services.signature_payload(contents, signer=admin.user)
    )

    signed = services.review_sign(
        review_id=review.pk,
        company=admin.company,
        signer=admin.user,
        assertion=assertion(device, challenge_id, options),
        ip_address=IP,
        user_agent=USER_AGENT,
        now=NOW,
    )

    assert (signed.status, signed.method) == (ReviewStatus.SIGNED, SignatureMethod.PASSKEY)
    assert signed.passkey_name == "Ordinateur du bureau"
    assert not Membership.objects.filter(pk=leaves.pk).exists()


def test_a_review_that_removes_its_signer_is_refused_before_any_code_is_sent(admin, company):
    other = MembershipFactory.create(company=company, role="admin")
    review = open_review(admin)
    decide(other, review, admin, Decision.REMOVE_MEMBER)

    with pytest.raises(CompanyRefused, match="signée par un autre administrateur"):
        request_code(admin, review)

    review.refresh_from_db()
    assert review.challenge is None


def test_a_removal_refused_at_signature_time_applies_nothing_at_all(
    admin, collaborator_with, monkeypatch
):
    leaves = collaborator_with(Right.TREASURY)
    loses_one = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    review = open_review(admin)
    decide(admin, review, leaves, Decision.REMOVE_MEMBER)
    decide(admin, review, loses_one, Decision.REMOVE_RIGHTS, Right.TREASURY)
    request_code(admin, review)

    def refused(**kwargs):
        raise CompanyRefused("Les droits de ce membre ont changé.")

    monkeypatch.setattr("reviews.services.signing.rights_remove", refused)
    with pytest.raises(CompanyRefused):
        sign(admin, review)

    assert Membership.objects.filter(pk=leaves.pk).exists()
    assert rights_of(loses_one) == ["documents", "treasury"]
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN
    assert not AuditEvent.objects.filter(action=Action.ACCESS_REVIEW_SIGNED).exists()
