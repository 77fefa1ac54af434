"""Support's changes of a team (teams.services.support), called directly: the portal's rules, the
audit, the member told; a refusal writes nothing."""

import pytest
from django.core import mail

from audit.models import Action, AuditEvent
from companies.models import Membership, MembershipStatus, Role
from otp.models import AccessAuthorisation, ClosingReason
from permissions.catalogue import Right
from permissions.models import Grant
from teams import services
from teams.models import RightsChange, RightsChangeOrigin, RightsChangeStatus
from teams.services import TeamRefused
from tests.factories import MembershipFactory, UserFactory
from tests.invitations.factories import IP
from tests.otp.factories import NOW
from tests.teams.factories import request_change, request_code, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory.create(email="support@banque.example", is_staff=True)


def rights_of(member):
    return sorted(member.grants.values_list("right", flat=True))


def events(company, action):
    return list(AuditEvent.objects.filter(company=company, action=action).order_by("pk"))


def set_rights(member, agent, *rights):
    return services.membership_rights_set_by_support(
        reason="vérifié avec le client par téléphone",
        membership=member,
        rights=rights,
        actor=agent,
        ip_address=IP,
        now=NOW,
    )


def signed_member(admin, collaborator_with, *rights):
    """A collaborator whose rights the administrator signed: their authorisation is open."""
    member = collaborator_with()
    change = request_change(admin, member, *rights)
    request_code(admin, change)
    sign(admin, change)
    return member


def open_authorisations(member):
    return AccessAuthorisation.objects.filter(
        company=member.company, subject_email=member.user.email, closed_at__isnull=True
    )


# --- rights ---------------------------------------------------------------------------------------


def test_support_sets_a_members_rights_as_an_unsigned_change_of_support(
    admin, collaborator_with, agent
):
    member = collaborator_with(Right.DOCUMENTS)

    change = set_rights(member, agent, Right.TREASURY)

    assert rights_of(member) == ["treasury"]
    assert (change.origin, change.status, change.applied_at) == (
        RightsChangeOrigin.SUPPORT,
        RightsChangeStatus.APPLIED,
        NOW,
    )
    assert (change.authorisation, change.challenge, change.requested_by) == (None, None, agent)
    assert (change.previous_rights, change.rights) == (["documents"], ["treasury"])


def test_a_support_change_is_audited_as_supports(admin, collaborator_with, agent):
    member = collaborator_with(Right.DOCUMENTS)

    change = set_rights(member, agent, Right.DOCUMENTS, Right.TREASURY)

    [event] = events(admin.company, Action.SUPPORT_GRANTS_CHANGED)
    assert (event.actor, event.target_id, event.ip_address) == (agent, str(member.pk), IP)
    assert event.data == {
        "change": change.pk,
        "via": "support",
        "added": ["treasury"],
        "removed": [],
        "rights": ["documents", "treasury"],
        "reason": "vérifié avec le client par téléphone",
    }


def test_the_member_is_emailed_that_support_changed_their_rights(
    admin, collaborator_with, agent, eager_tasks, django_capture_on_commit_callbacks
):
    member = collaborator_with(Right.DOCUMENTS)

    with django_capture_on_commit_callbacks(execute=True):
        set_rights(member, agent, Right.DOCUMENTS, Right.TREASURY)

    [message] = mail.outbox
    assert message.to == [member.user.email]
    assert "modifiés par le support de la banque" in message.body
    assert "Droits ajoutés" in message.body
    assert "Accéder au service Suivi de trésorerie" in message.body


def test_a_money_right_granted_by_support_alerts_every_administrator(
    admin, collaborator_with, agent, eager_tasks, django_capture_on_commit_callbacks
):
    other = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    member = collaborator_with()

    with django_capture_on_commit_callbacks(execute=True):
        set_rights(member, agent, Right.BANK_DETAILS)

    alerts = [m for m in mail.outbox if m.to != [member.user.email]]
    assert sorted(m.to[0] for m in alerts) == sorted([admin.user.email, other.user.email])
    assert all("Le support de la banque a accordé" in m.body for m in alerts)


def test_a_support_change_closes_the_members_signed_authorisation(admin, collaborator_with, agent):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS)
    [signed] = open_authorisations(member)

    set_rights(member, agent, Right.DOCUMENTS, Right.TREASURY)

    signed.refresh_from_db()
    assert signed.closed_reason == ClosingReason.RIGHTS_CHANGED_BY_SUPPORT
    assert not open_authorisations(member).exists()


def test_the_next_signed_change_takes_the_next_version(admin, collaborator_with, agent):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS)
    set_rights(member, agent, Right.DOCUMENTS, Right.TREASURY)

    change = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY, Right.BANK_DETAILS)
    request_code(admin, change)
    sign(admin, change)

    [latest] = open_authorisations(member)
    assert latest.version == 2
    assert latest.rights == ["documents", "treasury", "bank_details"]


def test_a_change_awaiting_the_administrators_signature_is_superseded(
    admin, collaborator_with, agent
):
    member = collaborator_with(Right.DOCUMENTS)
    pending = request_change(admin, member, Right.DOCUMENTS, Right.TREASURY)

    set_rights(member, agent, Right.BANK_DETAILS)

    pending.refresh_from_db()
    assert pending.status == RightsChangeStatus.SUPERSEDED


def assert_nothing_written(member, rights_before):
    assert rights_of(member) == rights_before
    assert not RightsChange.objects.filter(membership=member).exists()
    assert not events(member.company, Action.SUPPORT_GRANTS_CHANGED)
    assert mail.outbox == []


def test_a_right_the_companys_contracts_cannot_give_is_refused(other_admin, agent):
    member = MembershipFactory.create(company=other_admin.company)  # no CLUB contract

    with pytest.raises(TeamRefused) as refusal:
        set_rights(member, agent, Right.FUND_OPERATIONS)

    assert refusal.value.field == "rights"
    assert "Gestion des fonds" in refusal.value.message
    assert "CLUB" in refusal.value.message
    assert_nothing_written(member, [])


@pytest.mark.parametrize(
    ("rights", "message"),
    [
        (("documents", "launch_missiles"), "Droit inconnu"),
        (("documents",), "n’ont pas changé"),
    ],
)
def test_an_unknown_right_or_no_change_is_refused(collaborator_with, agent, rights, message):
    member = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(TeamRefused, match=message):
        set_rights(member, agent, *rights)

    assert_nothing_written(member, ["documents"])


def test_an_administrators_rights_are_not_set(admin, agent):
    with pytest.raises(TeamRefused, match="Un administrateur détient tous les droits"):
        set_rights(admin, agent, Right.DOCUMENTS)

    assert_nothing_written(admin, [])


# --- role and status ----------------------------------------------------------------------------


def set_membership(member, agent, **fields):
    fields.setdefault("role", member.role)
    fields.setdefault("status", member.status)
    return services.membership_set_by_support(
        reason="vérifié avec le client par téléphone",
        membership=member,
        actor=agent,
        ip_address=IP,
        now=NOW,
        **fields,
    )


@pytest.mark.parametrize(
    "fields", [{"role": Role.COLLABORATOR}, {"status": MembershipStatus.SUSPENDED}]
)
def test_the_last_active_administrator_stays_one(admin, agent, fields):
    with pytest.raises(TeamRefused, match="au moins un administrateur actif"):
        set_membership(admin, agent, **fields)

    admin.refresh_from_db()
    assert (admin.role, admin.status) == (Role.ADMIN, MembershipStatus.ACTIVE)
    assert not events(admin.company, Action.SUPPORT_MEMBERSHIP_CHANGED)


def test_a_suspension_by_support_closes_the_authorisation_and_is_audited(
    admin, collaborator_with, agent
):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS)

    set_membership(member, agent, status=MembershipStatus.SUSPENDED)

    member.refresh_from_db()
    assert member.status == MembershipStatus.SUSPENDED
    assert not open_authorisations(member).exists()
    [event] = events(admin.company, Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert event.actor == agent
    assert event.data["changes"] == {"status": {"from": "active", "to": "suspended"}}


def test_a_handover_of_administration_is_accepted_once_the_new_one_is_in(admin, agent):
    successor = MembershipFactory.create(company=admin.company, role=Role.COLLABORATOR)

    set_membership(successor, agent, role=Role.ADMIN)
    set_membership(admin, agent, role=Role.COLLABORATOR)

    admin.refresh_from_db()
    assert admin.role == Role.COLLABORATOR


def test_a_person_is_added_once_to_a_company(admin, agent):
    with pytest.raises(TeamRefused, match="déjà membre"):
        services.membership_add_by_support(
            reason="vérifié avec le client par téléphone",
            user=admin.user,
            company=admin.company,
            role=Role.COLLABORATOR,
            status=MembershipStatus.ACTIVE,
            actor=agent,
            ip_address=IP,
            now=NOW,
        )

    assert Membership.objects.filter(company=admin.company).count() == 1


# --- removal --------------------------------------------------------------------------------------


def remove(agent, *members):
    return services.memberships_remove_by_support(
        reason="vérifié avec le client par téléphone",
        membership_ids=[m.pk for m in members],
        actor=agent,
        ip_address=IP,
        now=NOW,
    )


def test_the_last_active_administrator_is_not_removed(admin, collaborator_with, agent):
    member = collaborator_with(Right.DOCUMENTS)

    with pytest.raises(TeamRefused, match="au moins un administrateur actif"):
        remove(agent, admin, member)

    assert Membership.objects.filter(pk__in=[admin.pk, member.pk]).count() == 2
    assert not events(admin.company, Action.SUPPORT_MEMBERSHIP_DELETED)


def test_a_removal_by_support_keeps_the_rights_in_the_audit_and_closes_the_authorisation(
    admin, collaborator_with, agent
):
    member = signed_member(admin, collaborator_with, Right.DOCUMENTS, Right.TREASURY)

    assert remove(agent, member) == 1

    assert not Membership.objects.filter(pk=member.pk).exists()
    assert not Grant.objects.filter(membership_id=member.pk).exists()
    assert not open_authorisations(member).exists()
    [event] = events(admin.company, Action.SUPPORT_MEMBERSHIP_DELETED)
    assert (event.actor, event.data["rights"]) == (agent, ["documents", "treasury"])
