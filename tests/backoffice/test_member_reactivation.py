"""A suspended collaborator who still holds a right that moves money can use it again once their
access is back: one support agent proposes the reactivation with a reason, a second one approves."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.sentences import sentence
from backoffice.kinds import ProposalRefused
from backoffice.models import Proposal, ProposalKind, ProposalStatus
from backoffice.services import proposal_approve, proposal_make, proposal_refuse
from companies.models import Membership, MembershipStatus, Role
from core.models import Message
from permissions.catalogue import Right
from tests.admin.forms import REASON, company_form, membership_form
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended_with(collaborator_with):
    """suspended_with(Right.BANK_DETAILS, ...) -> a suspended collaborator holding those rights."""

    def make(*rights: Right) -> Membership:
        return collaborator_with(*rights, status=MembershipStatus.SUSPENDED)

    return make


def _status_of(member: Membership) -> str:
    return Membership.objects.get(pk=member.pk).status


def _member_url(member: Membership) -> str:
    return reverse("admin:companies_membership_change", args=[member.pk])


def _propose_reactivation(agent, member: Membership):
    return agent.post(_member_url(member), membership_form(member, status="active"))


def _approve(agent, proposal: Proposal):
    return agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))


def _alerts(member: Membership):
    return Message.objects.filter(
        template__contains="money_rights", company_id=member.company_id
    ).order_by("to")


def _member_told(member: Membership):
    return Message.objects.filter(
        template="teams/email/member_status", to=member.user.email, subject__contains="rétabli"
    )


def test_one_agent_alone_cannot_reactivate_a_collaborator_who_holds_a_right_that_moves_money(
    agent_a, admin, suspended_with
):
    member = suspended_with(Right.DOCUMENTS, Right.BANK_DETAILS)

    response = _propose_reactivation(agent_a, member)

    assert response.status_code == 302
    assert _status_of(member) == MembershipStatus.SUSPENDED
    proposal = Proposal.objects.get(kind=ProposalKind.MEMBER_REACTIVATION)
    assert (proposal.subject_id, proposal.payload, proposal.reason) == (
        str(member.pk),
        {"role": "collaborator", "status": "active", "rights": ["bank_details"]},
        REASON,
    )
    assert not _member_told(member).exists()
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("second agent" in m for m in messages)


def test_the_company_page_proposes_the_reactivation_and_applies_the_rest(
    agent_a, admin, suspended_with, collaborator_with
):
    member = suspended_with(Right.EARLY_BUYOUT)
    leaving = collaborator_with()
    data = company_form(
        admin.company, {member.pk: {"status": "active"}, leaving.pk: {"status": "suspended"}}
    )

    response = agent_a.post(
        reverse("admin:companies_company_change", args=[admin.company.pk]), data
    )

    assert response.status_code == 302
    assert _status_of(member) == MembershipStatus.SUSPENDED
    assert _status_of(leaving) == MembershipStatus.SUSPENDED
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.subject_id) == (
        ProposalKind.MEMBER_REACTIVATION,
        str(member.pk),
    )


def test_a_suspended_collaborator_without_a_right_that_moves_money_is_reactivated_at_once(
    agent_a, admin, suspended_with
):
    member = suspended_with(Right.DOCUMENTS, Right.TREASURY)

    _propose_reactivation(agent_a, member)

    assert _status_of(member) == MembershipStatus.ACTIVE
    assert not Proposal.objects.exists()
    assert _member_told(member).count() == 1
    [event] = AuditEvent.objects.filter(action=Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert (event.actor_id, event.data["reason"]) == (agent_a.user.pk, REASON)


def test_the_company_page_reactivates_a_collaborator_without_a_right_that_moves_money_at_once(
    agent_a, admin, suspended_with
):
    member = suspended_with(Right.DOCUMENTS)
    data = company_form(admin.company, {member.pk: {"status": "active"}})

    agent_a.post(reverse("admin:companies_company_change", args=[admin.company.pk]), data)

    assert _status_of(member) == MembershipStatus.ACTIVE
    assert not Proposal.objects.exists()


def test_unticking_the_rights_that_move_money_while_reactivating_applies_at_once(
    agent_a, admin, suspended_with
):
    member = suspended_with(Right.DOCUMENTS, Right.BANK_DETAILS)

    agent_a.post(
        _member_url(member), membership_form(member, Right.DOCUMENTS.value, status="active")
    )

    assert _status_of(member) == MembershipStatus.ACTIVE
    assert list(member.grants.values_list("right", flat=True)) == ["documents"]
    assert not Proposal.objects.exists()


def test_the_proposer_cannot_approve_through_the_page_nor_a_crafted_post(
    agent_a, admin, suspended_with
):
    member = suspended_with(Right.BANK_DETAILS)
    _propose_reactivation(agent_a, member)
    proposal = Proposal.objects.get()

    page = agent_a.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    crafted = _approve(agent_a, proposal)

    assert "Approuver et appliquer" not in page.content.decode()
    assert crafted.status_code == 302
    assert _status_of(member) == MembershipStatus.SUSPENDED
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED
    with pytest.raises(ProposalRefused):
        proposal_approve(
            proposal_id=proposal.pk, approver=agent_a.user, ip_address=None, now=timezone.now()
        )


def test_the_approvers_page_shows_the_status_and_the_rights_that_open_again(
    agent_a, agent_b, admin, suspended_with
):
    member = suspended_with(Right.BANK_DETAILS)
    _propose_reactivation(agent_a, member)

    page = agent_b.get(
        reverse("admin:backoffice_proposal_change", args=[Proposal.objects.get().pk])
    )

    content = page.content.decode()
    assert "Suspendu" in content and "Actif" in content
    assert "Changement de RIB" in content
    assert "Approuver et appliquer" in content


def test_a_second_agent_approves_once_the_member_is_told_and_each_administrator_alerted_once(
    agent_a, agent_b, admin, suspended_with
):
    other_admin = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    member = suspended_with(Right.BANK_DETAILS, Right.EARLY_BUYOUT)
    _propose_reactivation(agent_a, member)
    proposal = Proposal.objects.get()

    _approve(agent_b, proposal)
    _approve(agent_b, proposal)

    assert _status_of(member) == MembershipStatus.ACTIVE
    assert Proposal.objects.get().status == ProposalStatus.APPROVED
    [event] = AuditEvent.objects.filter(action=Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert (event.actor_id, event.data["reason"]) == (agent_b.user.pk, REASON)
    assert _member_told(member).count() == 1
    assert list(_alerts(member).values_list("to", flat=True)) == sorted(
        [admin.user.email, other_admin.user.email]
    )
    # the rights the member holds, not every right of the company (as for a new administrator)
    text = _alerts(member).first().text.lower()
    assert "changement de rib" in text and "rachat anticipé" in text
    assert "gestion des fonds" not in text


def test_a_refused_proposal_reactivates_nobody(agent_a, agent_b, admin, suspended_with):
    member = suspended_with(Right.BANK_DETAILS)
    _propose_reactivation(agent_a, member)

    proposal_refuse(
        proposal_id=Proposal.objects.get().pk,
        decider=agent_b.user,
        refusal_reason="le représentant légal n’a pas confirmé",
        ip_address=None,
        now=timezone.now(),
    )

    assert _status_of(member) == MembershipStatus.SUSPENDED
    assert Proposal.objects.get().status == ProposalStatus.REFUSED
    assert not _alerts(member).exists()
    assert not _member_told(member).exists()


def test_an_expired_proposal_reactivates_nobody(agent_a, agent_b, admin, suspended_with):
    member = suspended_with(Right.BANK_DETAILS)
    _propose_reactivation(agent_a, member)
    proposal = Proposal.objects.get()

    decided = proposal_approve(
        proposal_id=proposal.pk, approver=agent_b.user, ip_address=None, now=proposal.expires_at
    )

    assert decided.status == ProposalStatus.EXPIRED
    assert _status_of(member) == MembershipStatus.SUSPENDED
    assert not _alerts(member).exists()
    assert not _member_told(member).exists()


def test_a_member_reactivated_meanwhile_refuses_the_approval(
    agent_a, agent_b, admin, suspended_with
):
    member = suspended_with(Right.BANK_DETAILS)
    _propose_reactivation(agent_a, member)
    Membership.objects.filter(pk=member.pk).update(status=MembershipStatus.ACTIVE)

    response = _approve(agent_b, Proposal.objects.get())

    assert any("plus suspendu" in str(m) for m in get_messages(response.wsgi_request))
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED
    assert not _alerts(member).exists()


def test_the_journal_says_support_proposed_the_reactivation_in_french_and_english(
    agent_a, admin, suspended_with
):
    member = suspended_with(Right.BANK_DETAILS)
    _propose_reactivation(agent_a, member)

    [event] = AuditEvent.objects.filter(action=Action.PROPOSAL_MADE)

    with override("fr"):
        assert "de rétablir l’accès de" in sentence(event)
        assert "Changement de RIB" in sentence(event)
    with override("en"):
        assert "to give back the access of" in sentence(event)


@pytest.mark.django_db(transaction=True)
def test_two_agents_approving_at_the_same_time_reactivate_once_and_alert_once(
    admin, suspended_with
):
    member = suspended_with(Right.BANK_DETAILS)
    proposer = UserFactory(is_staff=True)
    approvers = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    proposal = proposal_make(
        kind=ProposalKind.MEMBER_REACTIVATION,
        subject=member,
        company=admin.company,
        payload={"role": "collaborator", "status": "active", "rights": ["bank_details"]},
        proposer=proposer,
        reason=REASON,
        ip_address=None,
        now=timezone.now(),
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve(approver: User) -> None:
        barrier.wait()
        try:
            proposal_approve(
                proposal_id=proposal.pk, approver=approver, ip_address=None, now=timezone.now()
            )
            outcomes.append("approved")
        except ProposalRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(a,)) for a in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    assert _status_of(member) == MembershipStatus.ACTIVE
    assert AuditEvent.objects.filter(action=Action.SUPPORT_MEMBERSHIP_CHANGED).count() == 1
    assert _member_told(member).count() == 1
    assert list(_alerts(member).values_list("to", flat=True)) == [admin.user.email]
