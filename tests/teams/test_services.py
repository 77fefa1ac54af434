import pytest
from django.core import mail

from audit.models import Action, AuditEvent
from companies.models import Membership, MembershipStatus, Role
from core import outbox
from otp.models import AccessAuthorisation, AuthorisationKind, ChallengeStatus
from otp.services import SignatureError
from permissions.catalogue import Right
from teams import services
from teams.models import RightsChange, RightsChangeStatus
from teams.services import TeamRefused
from tests.factories import MembershipFactory, UserFactory
from tests.invitations.factories import IP
from tests.otp.factories import NOW, last_code, wrong_code
from tests.outbox import deliver, pending
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db


def rights_of(member):
    return sorted(member.grants.values_list("right", flat=True))


def events(company, action):
    return list(AuditEvent.objects.filter(company=company, action=action).order_by("pk"))


def test_removing_rights_applies_at_once_and_is_audited(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    change = services.rights_remove(
        membership_id=member.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS],
        ip_address=IP,
        now=NOW,
    )

    assert rights_of(member) == ["documents"]
    assert change.status == RightsChangeStatus.APPLIED
    assert change.authorisation is None
    [event] = events(admin.company, Action.RIGHTS_REMOVED)
    assert event.data["removed"] == ["treasury"]
    assert event.data["rights"] == ["documents"]


def test_a_removal_cannot_add_a_right(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(TeamRefused):
        services.rights_remove(
            membership_id=member.pk,
            company=admin.company,
            actor=admin.user,
            rights=[Right.TREASURY],
            ip_address=IP,
            now=NOW,
        )

    assert rights_of(member) == ["documents"]


def test_an_addition_changes_nothing_before_the_code(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    change = request_change(admin, member, Right.DOCUMENTS, Right.BANK_DETAILS)
    request_code(admin, change)

    assert rights_of(member) == ["documents"]
    assert change.status == RightsChangeStatus.AWAITING_SIGNATURE


def test_the_right_code_applies_exactly_the_new_set_with_an_authorisation(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    change = request_change(admin, member, Right.DOCUMENTS, Right.BANK_DETAILS)
    request_code(admin, change)

    change = sign(admin, change)

    assert rights_of(member) == ["bank_details", "documents"]
    authorisation = AccessAuthorisation.objects.get(rights_change=change)
    assert authorisation.kind == AuthorisationKind.RIGHTS_CHANGE
    assert authorisation.rights == ["documents", "bank_details"]
    assert authorisation.subject_email == member.user.email
    assert authorisation.signer == admin.user
    assert authorisation.ip_address == IP
    assert authorisation.phone_masked.endswith("42")
    assert "Effectuer un changement de RIB" in authorisation.statement
    [added] = events(admin.company, Action.RIGHTS_ADDED)
    assert added.data["added"] == ["bank_details"]
    assert added.data["removed"] == ["treasury"]
    assert events(admin.company, Action.RIGHTS_REMOVED)[0].data["removed"] == ["treasury"]


def test_a_code_issued_for_another_rights_set_is_refused(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    request_code(admin, change)
    # the set changes under the code (what was shown is no longer what would be applied)
    RightsChange.objects.filter(pk=change.pk).update(rights=["documents", "bank_details"])

    with pytest.raises(SignatureError, match="contenu à signer a changé"):
        sign(admin, change)

    assert rights_of(member) == ["documents"]
    change.refresh_from_db()
    assert change.challenge.status == ChallengeStatus.DEAD
    assert not AccessAuthorisation.objects.filter(company=admin.company).exists()


def test_the_code_of_a_replaced_change_does_not_sign_the_new_one(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)
    first = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    request_code(admin, first)
    code_for_treasury = last_code()
    second = request_change(admin, member, Right.DOCUMENTS, Right.BANK_DETAILS)
    request_code(admin, second)

    if code_for_treasury != last_code():
        with pytest.raises(SignatureError):
            sign(admin, second, code=code_for_treasury)
    with pytest.raises(TeamRefused):
        sign(admin, first, code=code_for_treasury)

    first.refresh_from_db()
    assert first.status == RightsChangeStatus.SUPERSEDED
    assert rights_of(member) == ["documents"]


def test_asking_again_for_the_same_change_keeps_the_pending_one(admin, collaborator_with):
    member = collaborator_with()

    first = request_change(admin, member, Right.TREASURY)
    again = request_change(admin, member, Right.TREASURY)

    assert again.pk == first.pk


def test_wrong_codes_are_counted_and_the_fifth_kills_the_challenge(admin, collaborator_with):
    member = collaborator_with()
    change = request_change(admin, member, Right.TREASURY)
    request_code(admin, change)
    bad = wrong_code(last_code())

    for _ in range(4):
        with pytest.raises(SignatureError, match="Code incorrect"):
            sign(admin, change, code=bad)
    with pytest.raises(SignatureError, match="bloqué"):
        sign(admin, change, code=bad)

    change.refresh_from_db()
    assert change.challenge.failed_attempts == 5
    assert change.challenge.status == ChallengeStatus.DEAD
    assert len(events(admin.company, Action.CODE_WRONG)) == 5
    assert rights_of(member) == []


def test_an_administrators_rights_are_not_edited(admin, other_admin):
    second = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    with pytest.raises(TeamRefused, match="administrateur"):
        request_change(admin, second, Right.TREASURY)


def test_a_right_the_company_cannot_hold_is_refused(other_admin):
    member = MembershipFactory.create(company=other_admin.company)

    with pytest.raises(TeamRefused, match="ne peut pas être accordé"):
        request_change(other_admin, member, Right.FUND_OPERATIONS)


def test_the_member_receives_an_email_listing_their_new_rights(
    admin, collaborator_with, eager_tasks, django_capture_on_commit_callbacks
):
    member = collaborator_with(Right.DOCUMENTS)
    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)
    request_code(admin, change)

    with django_capture_on_commit_callbacks(execute=True):
        sign(admin, change)

    [message] = [m for m in mail.outbox if m.to == [member.user.email]]
    assert "Accéder au service Suivi de trésorerie" in message.body
    assert "Accéder aux informations financières" in message.body
    assert "Droits ajoutés" in message.body


def test_the_member_email_is_sent_once_even_if_delivered_twice(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)
    change = services.rights_remove(
        membership_id=member.pk,
        company=admin.company,
        actor=admin.user,
        rights=[Right.DOCUMENTS],
        ip_address=IP,
        now=NOW,
    )

    [notice] = pending(about_id=str(change.pk))
    first = outbox.message_deliver(message_id=notice.pk, now=NOW)
    second = outbox.message_deliver(message_id=notice.pk, now=NOW)

    assert (first.sent, second.sent) == (True, False)
    [message] = mail.outbox
    assert "Droits retirés" in message.body
    assert "Suivi de trésorerie" in message.body


def test_granting_a_right_that_moves_money_notifies_every_administrator(admin, collaborator_with):
    other = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    member = collaborator_with()
    change = request_change(admin, member, Right.BANK_DETAILS)
    request_code(admin, change)
    sign(admin, change)

    sent = deliver(now=NOW, template="teams/email/money_rights_granted")

    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin.user.email, other.user.email])
    assert "Effectuer un changement de RIB" in mail.outbox[0].body


def test_granting_an_ordinary_right_notifies_no_administrator(admin, collaborator_with):
    member = collaborator_with()
    change = request_change(admin, member, Right.TREASURY)
    request_code(admin, change)
    sign(admin, change)

    assert deliver(now=NOW, template="teams/email/money_rights_granted") == 0
    assert [m.to for m in mail.outbox if "sensible" in m.subject] == []


def suspend(admin, member, actor=None):
    return services.member_suspend(
        membership_id=member.pk,
        company=admin.company,
        actor=actor or admin.user,
        ip_address=IP,
    )


def remove(admin, member, actor=None):
    return services.member_remove(
        membership_id=member.pk,
        company=admin.company,
        actor=actor or admin.user,
        ip_address=IP,
    )


def test_suspending_and_reactivating_a_member_is_audited(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS)

    suspend(admin, member)
    member.refresh_from_db()
    assert member.status == MembershipStatus.SUSPENDED
    services.member_reactivate(
        membership_id=member.pk, company=admin.company, actor=admin.user, ip_address=IP
    )

    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE
    assert events(admin.company, Action.MEMBER_SUSPENDED)[0].data["rights"] == ["documents"]
    assert len(events(admin.company, Action.MEMBER_REACTIVATED)) == 1


def test_removing_a_member_records_their_rights(admin, collaborator_with):
    member = collaborator_with(Right.DOCUMENTS, Right.TREASURY)

    remove(admin, member)

    assert not Membership.objects.filter(pk=member.pk).exists()
    [event] = events(admin.company, Action.MEMBER_REMOVED)
    assert event.data["rights"] == ["documents", "treasury"]
    assert event.data["email"] == member.user.email


def test_an_administrator_cannot_suspend_or_remove_themselves(admin):
    MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    with pytest.raises(TeamRefused, match="votre propre accès"):
        suspend(admin, admin)
    with pytest.raises(TeamRefused, match="vous-même"):
        remove(admin, admin)

    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE


def test_the_last_active_administrator_cannot_be_suspended_or_removed(admin):
    support = UserFactory.create(is_staff=True)

    with pytest.raises(TeamRefused, match="au moins un administrateur actif"):
        suspend(admin, admin, actor=support)
    with pytest.raises(TeamRefused, match="au moins un administrateur actif"):
        remove(admin, admin, actor=support)

    admin.refresh_from_db()
    assert admin.status == MembershipStatus.ACTIVE
    assert events(admin.company, Action.MEMBER_SUSPENDED) == []


def test_another_administrator_can_be_suspended_while_one_stays(admin):
    other = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    suspend(admin, other)

    other.refresh_from_db()
    assert other.status == MembershipStatus.SUSPENDED
