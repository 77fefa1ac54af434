"""Making someone an active administrator gives them every right, those that move money
included: one support agent proposes it with a reason, a second one approves it."""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from audit.models import Action, AuditEvent
from audit.sentences import sentence
from backoffice.kinds import ProposalRefused
from backoffice.models import Proposal, ProposalKind, ProposalStatus
from backoffice.services import proposal_approve, proposal_make, proposal_refuse
from companies.models import Membership, MembershipStatus, Role
from core.models import Message
from tests.admin.forms import REASON, company_form, membership_form
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _role_of(member: Membership) -> tuple[str, str]:
    fresh = Membership.objects.get(pk=member.pk)
    return fresh.role, fresh.status


def _member_url(member: Membership) -> str:
    return reverse("admin:companies_membership_change", args=[member.pk])


def _propose_admin(agent, member: Membership):
    return agent.post(_member_url(member), membership_form(member, role=Role.ADMIN))


def _approve(agent, proposal: Proposal):
    return agent.post(reverse("admin:backoffice_proposal_approve", args=[proposal.pk]))


def _alerts(member: Membership):
    return Message.objects.filter(
        template__contains="money_rights", company_id=member.company_id
    ).order_by("to")


def test_one_agent_alone_cannot_make_an_administrator(agent_a, admin, collaborator_with):
    member = collaborator_with()

    response = _propose_admin(agent_a, member)

    assert response.status_code == 302
    assert _role_of(member) == (Role.COLLABORATOR, MembershipStatus.ACTIVE)
    proposal = Proposal.objects.get(kind=ProposalKind.ADMIN_ROLE)
    assert (proposal.subject_id, proposal.payload) == (
        str(member.pk),
        {"role": "admin", "status": "active"},
    )
    assert proposal.reason == REASON
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("second agent" in m for m in messages)


def test_a_suspended_administrators_access_given_back_is_only_proposed(agent_a, admin):
    suspended = MembershipFactory.create(
        company=admin.company, role=Role.ADMIN, status=MembershipStatus.SUSPENDED
    )

    agent_a.post(_member_url(suspended), membership_form(suspended, status="active"))

    assert _role_of(suspended) == (Role.ADMIN, MembershipStatus.SUSPENDED)
    assert Proposal.objects.get().kind == ProposalKind.ADMIN_ROLE


def test_suspending_an_administrator_still_applies_at_once(agent_a, admin):
    other = MembershipFactory.create(company=admin.company, role=Role.ADMIN)

    agent_a.post(_member_url(other), membership_form(other, status="suspended"))

    assert _role_of(other) == (Role.ADMIN, MembershipStatus.SUSPENDED)
    assert not Proposal.objects.exists()


def test_a_new_member_added_as_administrator_joins_as_a_collaborator_until_approved(
    agent_a, agent_b, admin
):
    newcomer = UserFactory()

    agent_a.post(
        reverse("admin:companies_membership_add"),
        {
            "user": newcomer.pk,
            "company": admin.company.pk,
            "role": Role.ADMIN,
            "status": MembershipStatus.ACTIVE,
            "reason": REASON,
        },
    )
    added = Membership.objects.get(user=newcomer, company=admin.company)
    meanwhile = _role_of(added)
    _approve(agent_b, Proposal.objects.get(kind=ProposalKind.ADMIN_ROLE))

    assert meanwhile == (Role.COLLABORATOR, MembershipStatus.ACTIVE)
    assert _role_of(added) == (Role.ADMIN, MembershipStatus.ACTIVE)


def test_the_company_page_proposes_the_administrator_and_applies_the_rest(
    agent_a, agent_b, admin, collaborator_with
):
    promoted, suspended = collaborator_with(), collaborator_with()
    data = company_form(
        admin.company, {promoted.pk: {"role": Role.ADMIN}, suspended.pk: {"status": "suspended"}}
    )

    response = agent_a.post(
        reverse("admin:companies_company_change", args=[admin.company.pk]), data
    )
    meanwhile = _role_of(promoted)
    _approve(agent_b, Proposal.objects.get(kind=ProposalKind.ADMIN_ROLE))

    assert response.status_code == 302
    assert meanwhile == (Role.COLLABORATOR, MembershipStatus.ACTIVE)
    assert _role_of(suspended) == (Role.COLLABORATOR, MembershipStatus.SUSPENDED)
    assert _role_of(promoted) == (Role.ADMIN, MembershipStatus.ACTIVE)


def test_the_proposer_cannot_approve_through_the_page_nor_a_crafted_post(
    agent_a, admin, collaborator_with
):
    member = collaborator_with()
    _propose_admin(agent_a, member)
    proposal = Proposal.objects.get()

    page = agent_a.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    crafted = _approve(agent_a, proposal)

    assert "Approuver et appliquer" not in page.content.decode()
    assert crafted.status_code == 302
    assert _role_of(member) == (Role.COLLABORATOR, MembershipStatus.ACTIVE)
    assert Proposal.objects.get().status == ProposalStatus.PROPOSED
    with pytest.raises(ProposalRefused):
        proposal_approve(
            proposal_id=proposal.pk, approver=agent_a.user, ip_address=None, now=timezone.now()
        )


def test_the_approvers_page_shows_the_role_that_will_change(
    agent_a, agent_b, admin, collaborator_with
):
    member = collaborator_with()
    _propose_admin(agent_a, member)

    page = agent_b.get(
        reverse("admin:backoffice_proposal_change", args=[Proposal.objects.get().pk])
    )

    content = page.content.decode()
    assert "Collaborateur" in content and "Administrateur" in content


def test_a_second_agent_approves_and_the_administrators_are_alerted_once(
    agent_a, agent_b, admin, collaborator_with
):
    other_admin = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    member = collaborator_with()
    _propose_admin(agent_a, member)
    proposal = Proposal.objects.get()

    _approve(agent_b, proposal)
    _approve(agent_b, proposal)

    assert _role_of(member) == (Role.ADMIN, MembershipStatus.ACTIVE)
    assert Proposal.objects.get().status == ProposalStatus.APPROVED
    [event] = AuditEvent.objects.filter(action=Action.SUPPORT_MEMBERSHIP_CHANGED)
    assert (event.actor_id, event.data["reason"]) == (agent_b.user.pk, REASON)
    assert list(_alerts(member).values_list("to", flat=True)) == sorted(
        [admin.user.email, other_admin.user.email]
    )


def test_a_refused_proposal_makes_no_administrator(agent_a, agent_b, admin, collaborator_with):
    member = collaborator_with()
    _propose_admin(agent_a, member)

    proposal_refuse(
        proposal_id=Proposal.objects.get().pk,
        decider=agent_b.user,
        refusal_reason="le représentant légal n’a pas confirmé",
        ip_address=None,
        now=timezone.now(),
    )

    assert _role_of(member) == (Role.COLLABORATOR, MembershipStatus.ACTIVE)
    assert not _alerts(member).exists()


def test_an_expired_proposal_makes_no_administrator(agent_a, agent_b, admin, collaborator_with):
    member = collaborator_with()
    _propose_admin(agent_a, member)
    proposal = Proposal.objects.get()

    decided = proposal_approve(
        proposal_id=proposal.pk,
        approver=agent_b.user,
        ip_address=None,
        now=proposal.expires_at,
    )

    assert decided.status == ProposalStatus.EXPIRED
    assert _role_of(member) == (Role.COLLABORATOR, MembershipStatus.ACTIVE)
    assert not _alerts(member).exists()


def test_the_journal_says_support_proposed_an_administrator(agent_a, admin, collaborator_with):
    member = collaborator_with()
    _propose_admin(agent_a, member)

    [event] = AuditEvent.objects.filter(action=Action.PROPOSAL_MADE)

    assert "un administrateur actif de l’entreprise" in sentence(event)


@pytest.mark.django_db(transaction=True)
def test_two_agents_approving_at_the_same_time_make_one_administrator_and_one_alert(admin):
    member = MembershipFactory.create(company=admin.company, role=Role.COLLABORATOR)
    proposer = UserFactory(is_staff=True)
    approvers = [UserFactory(is_staff=True), UserFactory(is_staff=True)]
    proposal = proposal_make(
        kind=ProposalKind.ADMIN_ROLE,
        subject=member,
        company=admin.company,
        payload={"role": "admin", "status": "active"},
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
    assert AuditEvent.objects.filter(action=Action.SUPPORT_MEMBERSHIP_CHANGED).count() == 1
    assert list(_alerts(member).values_list("to", flat=True)) == [admin.user.email]


def test_a_member_removed_meanwhile_is_said_and_the_proposal_can_still_be_refused(
    agent_a, agent_b, admin, collaborator_with
):
    member = collaborator_with()
    _propose_admin(agent_a, member)
    proposal = Proposal.objects.get()
    Membership.objects.filter(pk=member.pk).delete()

    page = agent_b.get(reverse("admin:backoffice_proposal_change", args=[proposal.pk]))
    approved = _approve(agent_b, proposal)
    refused = agent_b.post(
        reverse("admin:backoffice_proposal_refuse", args=[proposal.pk]),
        {"refusal_reason": "la personne a quitté l’entreprise entre-temps"},
    )

    assert page.status_code == 200 and "n’existe plus" in page.content.decode()
    assert any("n’existe plus" in str(m) for m in get_messages(approved.wsgi_request))
    assert refused.status_code == 302
    assert Proposal.objects.get().status == ProposalStatus.REFUSED


def _user_form(user: User, **changes: object) -> dict[str, object]:
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "mobile": str(user.mobile),
        "is_active": "on",
        "reason": REASON,
    }
    return {**data, **changes}


def test_reactivating_an_administrators_account_is_proposed_then_approved_and_alerts_once(
    agent_a, agent_b, admin
):
    returning = MembershipFactory.create(company=admin.company, role=Role.ADMIN)
    User.objects.filter(pk=returning.user_id).update(is_active=False)
    returning.user.refresh_from_db()

    agent_a.post(
        reverse("admin:accounts_user_change", args=[returning.user_id]),
        _user_form(returning.user),
    )
    meanwhile = User.objects.get(pk=returning.user_id).is_active
    proposal = Proposal.objects.get(kind=ProposalKind.ACCOUNT_REACTIVATION)
    _approve(agent_b, proposal)
    _approve(agent_b, proposal)

    assert meanwhile is False
    assert User.objects.get(pk=returning.user_id).is_active is True
    assert list(_alerts(returning).values_list("to", flat=True)) == [admin.user.email]


def test_reactivating_a_collaborators_account_applies_at_once(agent_a, admin, collaborator_with):
    member = collaborator_with()
    User.objects.filter(pk=member.user_id).update(is_active=False)
    member.user.refresh_from_db()

    agent_a.post(
        reverse("admin:accounts_user_change", args=[member.user_id]), _user_form(member.user)
    )

    assert User.objects.get(pk=member.user_id).is_active is True
    assert not Proposal.objects.exists()
